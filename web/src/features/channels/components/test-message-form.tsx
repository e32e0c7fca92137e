import { Alert, Box, Button, Stack, TextField, Typography } from '@mui/material';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ErrorAlert } from '@/components/error-alert';
import { sendTestMessage } from '@/lib/api/channels/save-channel';

/** Sends one message through the stored credentials, so a business knows at once that they work. */
export function TestMessageForm({
  businessId,
  channel,
  recipientLabel,
}: {
  businessId: string;
  channel: 'whatsapp' | 'messenger';
  recipientLabel: string;
}) {
  const [to, setTo] = useState('');
  const send = useMutation({
    mutationFn: (recipient: string) => sendTestMessage(businessId, { channel, to: recipient }),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    send.mutate(to.trim());
  }
  return (
    <Box component="form" onSubmit={submit} noValidate aria-label="Send a test message">
      <Typography variant="subtitle2" component="h3" sx={{ mb: 1 }}>
        Send a test message
      </Typography>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ alignItems: { sm: 'flex-start' } }}>
        <TextField
          label={recipientLabel}
          name="to"
          value={to}
          onChange={(e) => setTo(e.target.value)}
          size="small"
          sx={{ minWidth: 260 }}
        />
        <Button type="submit" variant="outlined" disabled={!to.trim() || send.isPending}>
          Send test
        </Button>
      </Stack>
      {send.data && (
        <Alert severity="success" sx={{ mt: 1 }}>
          Sent to {send.data.to} (message id {send.data.graph_message_id}).
        </Alert>
      )}
      {send.error && (
        <Box sx={{ mt: 1 }}>
          <ErrorAlert error={send.error} />
        </Box>
      )}
    </Box>
  );
}
