import SendIcon from '@mui/icons-material/Send';
import { Alert, Box, Button, CircularProgress, Stack, TextField, Typography } from '@mui/material';
import { type FormEvent, type KeyboardEvent, useState } from 'react';
import { ErrorAlert } from '@/components/error-alert';
import { useAgentReply } from '@/lib/api/conversations/agent-reply';
import { fieldErrorsOf } from '@/lib/api/errors';
import { useCan } from '@/lib/auth/permissions';

/** A human agent's reply, delivered on the conversation's channel. */
export function AgentReplyBox({
  businessId,
  conversationId,
  closed,
  aiStopped,
  onSent,
}: {
  businessId: string;
  conversationId: string;
  closed: boolean;
  aiStopped: boolean;
  onSent: () => void;
}) {
  const reply = useAgentReply(businessId, conversationId);
  const [text, setText] = useState('');
  const fe = fieldErrorsOf(reply.error);
  const handle = useCan('conversations.handle');
  if (!handle.allowed)
    return (
      <Alert severity="info" role="note">
        Replying is not available: {handle.reason}
      </Alert>
    );
  function submit(e?: FormEvent) {
    e?.preventDefault();
    if (!text.trim() || reply.isPending) return;
    reply.mutate(text.trim(), {
      onSuccess: () => {
        setText('');
        onSent();
      },
    });
  }
  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit();
  }
  return (
    <Box component="form" onSubmit={submit} aria-label="Reply as a human agent">
      {!aiStopped && !closed && (
        <Typography variant="caption" color="text.secondary" component="p" sx={{ mb: 1 }}>
          The AI still answers this conversation. Stop the AI first if you take over.
        </Typography>
      )}
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ alignItems: { sm: 'flex-start' } }}>
        <TextField
          label="Agent reply"
          multiline
          minRows={2}
          maxRows={8}
          fullWidth
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          error={!!fe.content}
          helperText={fe.content ?? 'Ctrl+Enter to send. Delivered on the conversation’s channel.'}
          disabled={closed}
        />
        <Button
          type="submit"
          variant="contained"
          disabled={!text.trim() || reply.isPending || closed}
          startIcon={reply.isPending ? <CircularProgress size={16} color="inherit" /> : <SendIcon />}
          sx={{ whiteSpace: 'nowrap', mt: { sm: 0.5 } }}
        >
          Send reply
        </Button>
      </Stack>
      {!fe.content && <ErrorAlert error={reply.error} />}
      {closed && (
        <Alert severity="info" sx={{ mt: 1 }}>
          This conversation is closed. Reopen it to reply.
        </Alert>
      )}
    </Box>
  );
}
