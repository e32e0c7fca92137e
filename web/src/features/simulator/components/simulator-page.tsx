import RestartAltIcon from '@mui/icons-material/RestartAlt';
import SendIcon from '@mui/icons-material/Send';
import StopIcon from '@mui/icons-material/Stop';
import {
  Box,
  Button,
  ButtonBase,
  CircularProgress,
  Grid,
  MenuItem,
  Paper,
  Stack,
  TextField,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from '@mui/material';
import { EmptyState } from '@/components/empty-state';
import { ErrorAlert } from '@/components/error-alert';
import { OfflineBanner } from '@/components/offline-banner';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import { AddAsTestButton } from '@/components/test-case-dialog';
import { errorMessage } from '@/lib/api/errors';
import { useCan } from '@/lib/auth/permissions';
import { formatDateTime } from '@/lib/format';
import { Bubble } from './chat-bubble';
import { PipelinePanel } from './pipeline-panel';
import { useSimulator } from './use-simulator';

export function SimulatorPage() {
  const send = useCan('messages.send');
  return (
    <>
      <PageHeader
        title="Simulator"
        subtitle="Chat as a test customer. Replies stream in; the panel shows what the pipeline did for each turn."
      />
      <OfflineBanner />
      <RequireBusiness>
        {(businessId) =>
          send.allowed ? (
            <Simulator key={businessId} businessId={businessId} />
          ) : (
            <EmptyState title="The simulator posts test messages" description={send.reason} />
          )
        }
      </RequireBusiness>
    </>
  );
}

function Simulator({ businessId }: { businessId: string }) {
  const sim = useSimulator(businessId);
  const canEdit = useCan('content.edit');
  const { conversationId, past, turns, current, sending, text, stageName } = sim;
  return (
    <Grid container spacing={2}>
      <Grid size={{ xs: 12, md: 7 }}>
        <Paper
          sx={{
            display: 'flex',
            flexDirection: 'column',
            height: { md: 'calc(100vh - 230px)' },
            minHeight: 420,
          }}
        >
          <Stack
            direction={{ xs: 'column', sm: 'row' }}
            spacing={1}
            sx={{ p: 1.5, borderBottom: 1, borderColor: 'divider', alignItems: { sm: 'center' } }}
          >
            <TextField
              select
              label="Continue a conversation"
              value={conversationId && past.length > 0 ? conversationId : ''}
              onChange={(e) => sim.openExisting(e.target.value)}
              sx={{ minWidth: 240, flex: 1 }}
              slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
              disabled={sending}
            >
              <MenuItem value="">
                <em>New test customer</em>
              </MenuItem>
              {(sim.conversations.data?.conversations ?? []).map((c) => (
                <MenuItem key={c.conversation_id} value={c.conversation_id}>
                  {c.user_name || c.user_id.slice(0, 8)} · {formatDateTime(c.last_updated ?? c.start_time)}
                </MenuItem>
              ))}
            </TextField>
            <ToggleButtonGroup
              size="small"
              exclusive
              value={sim.configuration}
              onChange={(_, value: 'draft' | 'published' | null) => value && sim.setConfiguration(value)}
              aria-label="Configuration that answers"
              disabled={sending}
            >
              <ToggleButton value="draft">Draft</ToggleButton>
              <ToggleButton value="published">Published</ToggleButton>
            </ToggleButtonGroup>
            <Button startIcon={<RestartAltIcon />} onClick={sim.reset} variant="outlined">
              New conversation
            </Button>
          </Stack>
          <Box sx={{ flex: 1, overflow: 'auto', p: 1.5 }} role="log" aria-label="Chat" aria-live="polite">
            {sim.loadingExisting && <CircularProgress size={24} aria-label="Loading conversation" />}
            <ErrorAlert error={sim.loadError} />
            {past.length === 0 && turns.length === 0 && !sim.loadingExisting && (
              <Typography color="text.secondary" sx={{ textAlign: 'center', mt: 6 }}>
                Say hello as a customer would. A new test customer and conversation are created with your
                first message.
              </Typography>
            )}
            <Stack spacing={1}>
              {past.map((m) => (
                <Bubble key={m.id} mine={m.sender === 'user'} sender={m.sender} text={m.text} muted />
              ))}
              {past.length > 0 && turns.length === 0 && (
                <Typography variant="caption" color="text.secondary" sx={{ textAlign: 'center' }}>
                  Earlier messages · your next message continues this conversation
                </Typography>
              )}
              {turns.map((t) => (
                // A turn is a toggle button (keyboard: Tab, Enter or Space) that shows its pipeline
                // steps in the panel.
                <ButtonBase
                  key={t.index}
                  component="div"
                  onClick={() => sim.select(t.index)}
                  aria-pressed={current?.index === t.index}
                  sx={{ display: 'block', width: '100%', textAlign: 'inherit', borderRadius: 2 }}
                >
                  <Bubble mine sender="user" text={t.userText} />
                  {t.status === 'error' ? (
                    <ErrorAlert error={t.error} title="No reply" />
                  ) : t.aiStopped ? (
                    <Typography variant="caption" color="text.secondary">
                      AI stopped — message stored without reply.
                    </Typography>
                  ) : (
                    <Bubble
                      mine={false}
                      sender="assistant"
                      text={t.reply || (t.status === 'streaming' ? '…' : '')}
                      chips={[
                        t.stage ? t.stage.stage_name || stageName(t.stage.stage_id) || '' : '',
                        t.fallback ? 'fallback' : '',
                      ].filter(Boolean)}
                      selected={current?.index === t.index}
                      streaming={t.status === 'streaming'}
                    />
                  )}
                </ButtonBase>
              ))}
              <div ref={sim.endRef} />
            </Stack>
          </Box>
          <Box component="form" onSubmit={sim.send} sx={{ p: 1.5, borderTop: 1, borderColor: 'divider' }}>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-end' }}>
              <TextField
                label="Message"
                multiline
                maxRows={5}
                fullWidth
                autoFocus
                value={text}
                onChange={(e) => sim.setText(e.target.value)}
                onKeyDown={sim.onKeyDown}
                inputRef={sim.inputRef}
                helperText="Enter to send, Shift+Enter for a new line"
              />
              {sending ? (
                <Button
                  variant="outlined"
                  color="warning"
                  startIcon={<StopIcon />}
                  onClick={sim.stop}
                  sx={{ mb: 2.5 }}
                >
                  Stop
                </Button>
              ) : (
                <Button
                  type="submit"
                  variant="contained"
                  endIcon={<SendIcon />}
                  disabled={!text.trim()}
                  sx={{ mb: 2.5 }}
                >
                  Send
                </Button>
              )}
            </Stack>
          </Box>
        </Paper>
        {conversationId && (
          <Typography variant="caption" color="text.secondary" sx={{ display: 'block', mt: 0.5 }}>
            Conversation {conversationId}
          </Typography>
        )}
      </Grid>
      <Grid size={{ xs: 12, md: 5 }}>
        <PipelinePanel turn={current} stageName={stageName} />
        {current?.messageId && current.status === 'done' && canEdit.allowed && (
          <Box sx={{ mt: 1 }}>
            <AddAsTestButton key={current.messageId} businessId={businessId} messageId={current.messageId} />
          </Box>
        )}
        {current?.status === 'error' && (
          <Typography variant="body2" color="error" sx={{ mt: 1 }}>
            {errorMessage(current.error)}
          </Typography>
        )}
      </Grid>
    </Grid>
  );
}
