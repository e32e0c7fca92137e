import {
  Alert,
  Box,
  Button,
  FormControlLabel,
  Grid,
  Stack,
  Switch,
  TextField,
  Typography,
} from '@mui/material';
import { type FormEvent, useState } from 'react';
import { CodeBlock } from '@/components/code-block';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { CopyButton } from '@/components/copy-button';
import { ErrorAlert } from '@/components/error-alert';
import { rotateWebKey, saveWeb, useChannelMutation } from '@/lib/api/channels/save-channel';
import { fieldErrorsOf } from '@/lib/api/errors';
import type { WebChannel } from '@/lib/api/models';
import { ChannelCard } from './channel-card';
import { WidgetPreview } from './widget-preview';

const HEX = /^#[0-9a-fA-F]{6}$/;

export function WebWidgetCard({ businessId, web }: { businessId: string; web: WebChannel }) {
  const [enabled, setEnabled] = useState(web.enabled);
  const [origins, setOrigins] = useState(web.allowed_origins.join('\n'));
  const [title, setTitle] = useState(web.title);
  const [greeting, setGreeting] = useState(web.greeting);
  const [color, setColor] = useState(web.color);
  const [saved, setSaved] = useState(false);
  const [confirmRotate, setConfirmRotate] = useState(false);
  const save = useChannelMutation(businessId, saveWeb);
  const rotate = useChannelMutation(businessId, (id, _: undefined) => rotateWebKey(id));
  const fe = fieldErrorsOf(save.error);
  const originList = origins
    .split(/[\s,]+/)
    .map((o) => o.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  const originError = Object.entries(fe).find(([k]) => k.startsWith('allowed_origins'))?.[1];

  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate(
      { enabled, allowed_origins: originList, title: title.trim(), greeting, color },
      {
        onSuccess: () => {
          setSaved(true);
          setTimeout(() => setSaved(false), 2500);
        },
      },
    );
  }

  return (
    <ChannelCard
      title="Website chat widget"
      description="A chat bubble on your website. Paste the snippet into your pages; only the origins listed here can open a chat."
      on={web.enabled}
      onLabel="On"
      offLabel="Off"
    >
      <Grid container spacing={3}>
        <Grid size={{ xs: 12, md: 7 }}>
          <Box component="form" onSubmit={submit} noValidate aria-label="Website widget settings">
            <Stack spacing={2}>
              <FormControlLabel
                control={<Switch checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />}
                label="Widget enabled"
              />
              <TextField
                label="Allowed origins"
                name="allowed_origins"
                value={origins}
                onChange={(e) => setOrigins(e.target.value)}
                multiline
                minRows={2}
                placeholder="https://shop.example"
                error={!!originError}
                helperText={
                  originError ??
                  'One per line: scheme and host (and port), e.g. https://shop.example — no path'
                }
                fullWidth
              />
              <TextField
                label="Title"
                name="title"
                value={title}
                onChange={(e) => setTitle(e.target.value)}
                error={!!fe.title}
                helperText={fe.title}
                fullWidth
              />
              <TextField
                label="Greeting"
                name="greeting"
                value={greeting}
                onChange={(e) => setGreeting(e.target.value)}
                multiline
                error={!!fe.greeting}
                helperText={fe.greeting ?? 'The first thing a visitor reads'}
                fullWidth
              />
              <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
                <TextField
                  label="Colour"
                  name="color"
                  value={color}
                  onChange={(e) => setColor(e.target.value)}
                  error={!!fe.color || !HEX.test(color)}
                  helperText={fe.color ?? (HEX.test(color) ? '#rrggbb' : 'Use #rrggbb')}
                  sx={{ width: 160 }}
                />
                <Box
                  component="input"
                  type="color"
                  aria-label="Pick the colour"
                  value={HEX.test(color) ? color : '#000000'}
                  onChange={(e: React.ChangeEvent<HTMLInputElement>) => setColor(e.target.value)}
                  sx={{ width: 56, height: 56, p: 0.5, border: 1, borderColor: 'divider', borderRadius: 1 }}
                />
              </Stack>
              {save.error && !Object.keys(fe).length && <ErrorAlert error={save.error} />}
              {saved && <Alert severity="success">Widget settings saved.</Alert>}
              <Box>
                <Button type="submit" variant="contained" disabled={save.isPending || !HEX.test(color)}>
                  Save
                </Button>
              </Box>
            </Stack>
          </Box>
        </Grid>
        <Grid size={{ xs: 12, md: 5 }}>
          <Typography variant="subtitle2" component="h3" sx={{ mb: 1 }}>
            Preview
          </Typography>
          <WidgetPreview title={title} greeting={greeting} color={HEX.test(color) ? color : web.color} />
        </Grid>
        <Grid size={12}>
          <Typography variant="subtitle2" component="h3" sx={{ mb: 1 }}>
            Snippet for your website
          </Typography>
          <CodeBlock label="Widget snippet">{web.snippet}</CodeBlock>
          <Stack direction="row" spacing={1} sx={{ mt: 1, flexWrap: 'wrap', gap: 1 }}>
            <CopyButton text={web.snippet} label="Copy snippet" />
            <Button size="small" onClick={() => setConfirmRotate(true)}>
              New publishable key
            </Button>
          </Stack>
          <Typography variant="caption" color="text.secondary" component="p" sx={{ mt: 1 }}>
            The publishable key ({web.publishable_key.slice(0, 10)}…) is not a secret: it can only open chats
            from the allowed origins.
          </Typography>
        </Grid>
      </Grid>
      <ConfirmDialog
        open={confirmRotate}
        title="Issue a new publishable key?"
        message="The snippet on your website stops working until you paste the new one."
        confirmLabel="Issue new key"
        pending={rotate.isPending}
        error={rotate.error}
        onClose={() => setConfirmRotate(false)}
        onConfirm={() => rotate.mutate(undefined, { onSuccess: () => setConfirmRotate(false) })}
      />
    </ChannelCard>
  );
}
