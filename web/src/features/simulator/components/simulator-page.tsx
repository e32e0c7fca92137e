import RestartAltIcon from '@mui/icons-material/RestartAlt';
import SendIcon from '@mui/icons-material/Send';
import StopIcon from '@mui/icons-material/Stop';
import {
  Box,
  Button,
  Chip,
  CircularProgress,
  Grid,
  MenuItem,
  Paper,
  Stack,
  TextField,
  Typography,
} from '@mui/material';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { ErrorAlert } from '@/components/error-alert';
import { OfflineBanner } from '@/components/offline-banner';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import { getConversation } from '@/lib/api/conversations/get-conversation';
import { useConversations } from '@/lib/api/conversations/list-conversations';
import { errorMessage } from '@/lib/api/errors';
import { streamMessage } from '@/lib/api/messages/stream-message';
import { qk } from '@/lib/api/query-keys';
import { useStages } from '@/lib/api/stages/list-stages';
import { formatDateTime } from '@/lib/format';
import { PipelinePanel } from './pipeline-panel';
import type { PastMessage, SimTurn } from './simulator-state';

export function SimulatorPage() {
  return (
    <>
      <PageHeader
        title="Simulator"
        subtitle="Chat as a test customer. Replies stream in; the panel shows what the pipeline did for each turn."
      />
      <OfflineBanner />
      <RequireBusiness>
        {(businessId) => <Simulator key={businessId} businessId={businessId} />}
      </RequireBusiness>
    </>
  );
}

function Simulator({ businessId }: { businessId: string }) {
  const qc = useQueryClient();
  const stages = useStages(businessId);
  const conversations = useConversations(businessId, { per_page: 50, status: 'active' });
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [userId, setUserId] = useState<string | null>(null);
  const [past, setPast] = useState<PastMessage[]>([]);
  const [turns, setTurns] = useState<SimTurn[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [text, setText] = useState('');
  const [loadError, setLoadError] = useState<unknown>(null);
  const [loadingExisting, setLoadingExisting] = useState(false);
  const abort = useRef<AbortController | null>(null);
  const endRef = useRef<HTMLDivElement | null>(null);
  const inputRef = useRef<HTMLTextAreaElement | null>(null);
  const names = new Map((stages.data?.stages ?? []).map((s) => [s.stage_id, s.stage_name]));
  const stageName = (id?: string | null) => (id ? (names.get(id) ?? null) : null);
  const sending = turns.some((t) => t.status === 'streaming');

  useEffect(() => () => abort.current?.abort(), []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll down whenever the chat grows
  useEffect(() => {
    endRef.current?.scrollIntoView?.({ block: 'end' });
  }, [turns, past]);

  const patch = (index: number, f: (t: SimTurn) => SimTurn) =>
    setTurns((ts) => ts.map((t) => (t.index === index ? f(t) : t)));

  function reset() {
    abort.current?.abort();
    setConversationId(null);
    setUserId(null);
    setPast([]);
    setTurns([]);
    setSelected(null);
    setLoadError(null);
    setText('');
    inputRef.current?.focus();
  }

  async function openExisting(id: string) {
    reset();
    if (!id) return;
    setLoadingExisting(true);
    try {
      const d = await getConversation(businessId, id);
      setConversationId(d.conversation.conversation_id);
      setUserId(d.conversation.user_id);
      setPast(
        [...d.messages]
          .sort((a, b) => a.sequence_number - b.sequence_number)
          .map((m) => ({ id: m.message_id, sender: m.sender_type, text: m.message_content })),
      );
    } catch (e) {
      setLoadError(e);
    } finally {
      setLoadingExisting(false);
    }
  }

  async function send(e?: FormEvent) {
    e?.preventDefault();
    const content = text.trim();
    if (!content || sending) return;
    const index = (turns[turns.length - 1]?.index ?? 0) + 1;
    setTurns((ts) => [...ts, { index, userText: content, reply: '', status: 'streaming', steps: [] }]);
    setSelected(null);
    setText('');
    const controller = new AbortController();
    abort.current = controller;
    try {
      const res = await streamMessage(
        {
          business_id: businessId,
          content,
          ...(userId ? { user_id: userId } : {}),
          ...(conversationId ? { conversation_id: conversationId } : {}),
        },
        {
          onStage: (s) => patch(index, (t) => ({ ...t, stage: s })),
          onExtracted: (x) => patch(index, (t) => ({ ...t, extracted: x.extracted_data })),
          onStep: (s) => patch(index, (t) => ({ ...t, steps: [...t.steps, s] })),
          onToken: (tok) => patch(index, (t) => ({ ...t, reply: t.reply + tok })),
        },
        controller.signal,
      );
      setConversationId(res.conversation_id);
      if (res.user_id) setUserId(res.user_id);
      patch(index, (t) => ({
        ...t,
        status: 'done',
        reply: res.response ?? t.reply,
        stage: res.stage_id
          ? {
              stage_id: res.stage_id,
              stage_name: res.stage_name ?? '',
              previous_stage_id: res.previous_stage_id ?? null,
            }
          : t.stage,
        extracted: res.extracted_data ?? t.extracted,
        steps:
          res.processing_steps && res.processing_steps.length >= t.steps.length
            ? res.processing_steps
            : t.steps,
        fallback: res.fallback,
        aiStopped: res.ai_stopped,
      }));
      qc.invalidateQueries({ queryKey: qk.conversations.all(businessId) });
    } catch (err) {
      if ((err as Error).name === 'AbortError') return;
      patch(index, (t) => ({ ...t, status: 'error', error: err }));
    } finally {
      if (abort.current === controller) abort.current = null;
      inputRef.current?.focus();
    }
  }

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      send();
    }
  }

  const current = turns.find((t) => t.index === selected) ?? turns[turns.length - 1] ?? null;
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
              onChange={(e) => openExisting(e.target.value)}
              sx={{ minWidth: 240, flex: 1 }}
              slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
              disabled={sending}
            >
              <MenuItem value="">
                <em>New test customer</em>
              </MenuItem>
              {(conversations.data?.conversations ?? []).map((c) => (
                <MenuItem key={c.conversation_id} value={c.conversation_id}>
                  {c.user_name || c.user_id.slice(0, 8)} · {formatDateTime(c.last_updated ?? c.start_time)}
                </MenuItem>
              ))}
            </TextField>
            <Button startIcon={<RestartAltIcon />} onClick={reset} variant="outlined">
              New conversation
            </Button>
          </Stack>
          <Box sx={{ flex: 1, overflow: 'auto', p: 1.5 }} role="log" aria-label="Chat" aria-live="polite">
            {loadingExisting && <CircularProgress size={24} aria-label="Loading conversation" />}
            <ErrorAlert error={loadError} />
            {past.length === 0 && turns.length === 0 && !loadingExisting && (
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
                <Box key={t.index} onClick={() => setSelected(t.index)} sx={{ cursor: 'pointer' }}>
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
                </Box>
              ))}
              <div ref={endRef} />
            </Stack>
          </Box>
          <Box component="form" onSubmit={send} sx={{ p: 1.5, borderTop: 1, borderColor: 'divider' }}>
            <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-end' }}>
              <TextField
                label="Message"
                multiline
                maxRows={5}
                fullWidth
                autoFocus
                value={text}
                onChange={(e) => setText(e.target.value)}
                onKeyDown={onKeyDown}
                inputRef={inputRef}
                helperText="Enter to send, Shift+Enter for a new line"
              />
              {sending ? (
                <Button
                  variant="outlined"
                  color="warning"
                  startIcon={<StopIcon />}
                  onClick={() => abort.current?.abort()}
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
        {current?.status === 'error' && (
          <Typography variant="body2" color="error" sx={{ mt: 1 }}>
            {errorMessage(current.error)}
          </Typography>
        )}
      </Grid>
    </Grid>
  );
}

function Bubble({
  mine,
  sender,
  text,
  chips = [],
  muted,
  selected,
  streaming,
}: {
  mine: boolean;
  sender: string;
  text: string;
  chips?: string[];
  muted?: boolean;
  selected?: boolean;
  streaming?: boolean;
}) {
  return (
    <Box sx={{ display: 'flex', justifyContent: mine ? 'flex-end' : 'flex-start', my: 0.5 }}>
      <Box
        aria-label={mine ? 'You' : sender === 'agent' ? 'Human agent' : 'Assistant'}
        aria-busy={streaming || undefined}
        sx={{
          px: 1.5,
          py: 1,
          maxWidth: '85%',
          borderRadius: 2,
          opacity: muted ? 0.75 : 1,
          bgcolor: mine ? 'primary.main' : 'action.hover',
          color: mine ? 'primary.contrastText' : 'text.primary',
          outline: selected ? 2 : 0,
          outlineColor: 'secondary.main',
          whiteSpace: 'pre-wrap',
          wordBreak: 'break-word',
        }}
      >
        {text}
        {chips.length > 0 && (
          <Box sx={{ mt: 0.5, display: 'flex', gap: 0.5 }}>
            {chips.map((c) => (
              <Chip key={c} size="small" label={c} sx={{ height: 20, fontSize: 11 }} />
            ))}
          </Box>
        )}
      </Box>
    </Box>
  );
}
