import { Alert, Box, Button, Grid, Stack, TextField } from '@mui/material';
import { type FormEvent, useState } from 'react';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { ErrorAlert } from '@/components/error-alert';
import {
  disconnectChannel,
  saveMessenger,
  saveWhatsApp,
  useChannelMutation,
} from '@/lib/api/channels/save-channel';
import { fieldErrorsOf } from '@/lib/api/errors';
import { ChannelCard } from './channel-card';
import { CopyableValue } from './copyable-value';
import { TestMessageForm } from './test-message-form';

export interface MetaChannelStatus {
  externalId: string | null;
  hasToken: boolean;
  hasAppSecret: boolean;
  hasVerifyToken: boolean;
  webhookUrl: string;
  connected: boolean;
}

const TEXT = {
  whatsapp: {
    title: 'WhatsApp',
    description:
      'WhatsApp Cloud API: customers write to your business number. In your Meta app, set the callback URL below and subscribe to “messages”.',
    idField: 'phone_number_id',
    idLabel: 'Phone number ID',
    idHelp: 'WhatsApp → API Setup in your Meta app (digits)',
    tokenField: 'access_token',
    tokenLabel: 'Access token',
    tokenHelp: 'A system-user token with whatsapp_business_messaging',
    recipient: 'Customer phone number (wa_id, digits)',
  },
  messenger: {
    title: 'Messenger',
    description:
      'Facebook Messenger: customers write to your page. In your Meta app, set the callback URL below and subscribe the page to messages, deliveries and reads.',
    idField: 'page_id',
    idLabel: 'Page ID',
    idHelp: 'Your Facebook page → About → Page transparency (digits)',
    tokenField: 'page_access_token',
    tokenLabel: 'Page access token',
    tokenHelp: 'A page token with pages_messaging',
    recipient: 'Recipient PSID (someone who wrote to the page)',
  },
} as const;

type Kind = keyof typeof TEXT;

const STORED = 'Stored — leave empty to keep it';

export function MetaChannelCard({
  businessId,
  kind,
  status,
}: {
  businessId: string;
  kind: Kind;
  status: MetaChannelStatus;
}) {
  const text = TEXT[kind];
  const [externalId, setExternalId] = useState(status.externalId ?? '');
  const [token, setToken] = useState('');
  const [appSecret, setAppSecret] = useState('');
  const [verifyToken, setVerifyToken] = useState('');
  const [saved, setSaved] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const save = useChannelMutation(businessId, async (id, body: Record<string, string>) => {
    if (kind === 'whatsapp') await saveWhatsApp(id, body as { phone_number_id: string });
    else await saveMessenger(id, body as { page_id: string });
  });
  const disconnect = useChannelMutation(businessId, (id, _: undefined) => disconnectChannel(id, kind));
  const fe = fieldErrorsOf(save.error);

  function submit(e: FormEvent) {
    e.preventDefault();
    // Secrets are write-only: an empty field keeps the stored value.
    const body: Record<string, string> = { [text.idField]: externalId.trim() };
    if (token.trim()) body[text.tokenField] = token.trim();
    if (appSecret.trim()) body.app_secret = appSecret.trim();
    if (verifyToken.trim()) body.verify_token = verifyToken.trim();
    save.mutate(body, {
      onSuccess: () => {
        setToken('');
        setAppSecret('');
        setVerifyToken('');
        setSaved(true);
        setTimeout(() => setSaved(false), 2500);
      },
    });
  }

  const secret = (
    name: string,
    label: string,
    value: string,
    set: (v: string) => void,
    stored: boolean,
    help: string,
  ) => (
    <TextField
      label={label}
      name={name}
      type="password"
      autoComplete="off"
      value={value}
      onChange={(e) => set(e.target.value)}
      placeholder={stored ? '••••••••' : ''}
      error={!!fe[name]}
      helperText={fe[name] ?? (stored ? STORED : help)}
      fullWidth
    />
  );

  return (
    <ChannelCard
      title={text.title}
      description={text.description}
      on={status.connected}
      onLabel="Connected"
      offLabel="Not connected"
    >
      <Stack spacing={2}>
        <CopyableValue label="Callback URL" value={status.webhookUrl} />
        <Box component="form" onSubmit={submit} noValidate aria-label={`${text.title} connection`}>
          <Grid container spacing={2}>
            <Grid size={{ xs: 12, md: 6 }}>
              <TextField
                label={text.idLabel}
                name={text.idField}
                value={externalId}
                onChange={(e) => setExternalId(e.target.value)}
                required
                inputMode="numeric"
                error={!!fe[text.idField]}
                helperText={fe[text.idField] ?? text.idHelp}
                fullWidth
              />
            </Grid>
            <Grid size={{ xs: 12, md: 6 }}>
              {secret(text.tokenField, text.tokenLabel, token, setToken, status.hasToken, text.tokenHelp)}
            </Grid>
            <Grid size={{ xs: 12, md: 6 }}>
              {secret(
                'app_secret',
                'App secret',
                appSecret,
                setAppSecret,
                status.hasAppSecret,
                'App settings → Basic; signs the webhooks (default: the server’s META_APP_SECRET)',
              )}
            </Grid>
            <Grid size={{ xs: 12, md: 6 }}>
              {secret(
                'verify_token',
                'Verify token',
                verifyToken,
                setVerifyToken,
                status.hasVerifyToken,
                'Any phrase; enter the same in Meta’s webhook settings (default: META_VERIFY_TOKEN)',
              )}
            </Grid>
          </Grid>
          {save.error && !Object.keys(fe).length && (
            <Box sx={{ mt: 2 }}>
              <ErrorAlert error={save.error} />
            </Box>
          )}
          {saved && (
            <Alert severity="success" sx={{ mt: 2 }}>
              {text.title} settings saved.
            </Alert>
          )}
          <Stack direction="row" spacing={1} sx={{ mt: 2 }}>
            <Button type="submit" variant="contained" disabled={save.isPending || !externalId.trim()}>
              {status.externalId ? 'Save' : 'Connect'}
            </Button>
            {status.externalId && (
              <Button color="error" onClick={() => setConfirming(true)} disabled={disconnect.isPending}>
                Disconnect
              </Button>
            )}
          </Stack>
        </Box>
        {status.connected && (
          <TestMessageForm businessId={businessId} channel={kind} recipientLabel={text.recipient} />
        )}
      </Stack>
      <ConfirmDialog
        open={confirming}
        title={`Disconnect ${text.title}?`}
        message={`Messages sent to this ${kind === 'whatsapp' ? 'number' : 'page'} will no longer reach the assistant, and its stored tokens are deleted.`}
        confirmLabel="Disconnect"
        pending={disconnect.isPending}
        error={disconnect.error}
        onClose={() => setConfirming(false)}
        onConfirm={() =>
          disconnect.mutate(undefined, {
            onSuccess: () => {
              setConfirming(false);
              setExternalId('');
            },
          })
        }
      />
    </ChannelCard>
  );
}
