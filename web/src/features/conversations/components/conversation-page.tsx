import DeleteIcon from '@mui/icons-material/Delete';
import PauseCircleIcon from '@mui/icons-material/PauseCircle';
import PlayCircleIcon from '@mui/icons-material/PlayCircle';
import SendIcon from '@mui/icons-material/Send';
import {
  Alert,
  Box,
  Button,
  Chip,
  CircularProgress,
  Divider,
  Grid,
  MenuItem,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { type FormEvent, type KeyboardEvent, useState } from 'react';
import { Link as RouterLink, useNavigate, useParams } from 'react-router-dom';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { ErrorAlert } from '@/components/error-alert';
import { Loading } from '@/components/loading';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import { useAgentReply } from '@/lib/api/conversations/agent-reply';
import { useAiControl } from '@/lib/api/conversations/ai-control';
import { useDeleteConversation } from '@/lib/api/conversations/delete-conversation';
import { useConversation } from '@/lib/api/conversations/get-conversation';
import { useLlmCalls } from '@/lib/api/conversations/list-llm-calls';
import { useUpdateConversationStatus } from '@/lib/api/conversations/update-conversation';
import { fieldErrorsOf } from '@/lib/api/errors';
import type { ConversationDetail } from '@/lib/api/models';
import { useStages } from '@/lib/api/stages/list-stages';
import { formatDateTime, formatValue } from '@/lib/format';
import { paths } from '@/lib/paths';
import { Transcript } from './transcript';

export function ConversationPage() {
  const { conversationId } = useParams();
  return (
    <RequireBusiness>
      {(businessId) => (
        <ConversationView
          key={`${businessId}/${conversationId}`}
          businessId={businessId}
          conversationId={conversationId as string}
        />
      )}
    </RequireBusiness>
  );
}

export function ConversationView({
  businessId,
  conversationId,
}: {
  businessId: string;
  conversationId: string;
}) {
  const detail = useConversation(businessId, conversationId, 10_000);
  const calls = useLlmCalls(businessId, conversationId);
  const stages = useStages(businessId);
  const names = new Map((stages.data?.stages ?? []).map((s) => [s.stage_id, s.stage_name]));
  const stageName = (id: string | null | undefined) => (id ? (names.get(id) ?? 'deleted stage') : null);

  if (detail.isLoading) return <Loading />;
  if (detail.error || !detail.data)
    return (
      <ErrorAlert
        error={detail.error ?? new Error('Conversation not found.')}
        onRetry={() => detail.refetch()}
      />
    );
  const { conversation: c, messages } = detail.data;

  return (
    <>
      <PageHeader
        title={c.user_name || `Conversation with user ${c.user_id.slice(0, 8)}`}
        subtitle={`Started ${formatDateTime(c.start_time)} · ${messages.length} messages`}
        actions={
          <Button component={RouterLink} to={paths.conversations()}>
            All conversations
          </Button>
        }
      />
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, md: 8 }}>
          <Paper sx={{ p: { xs: 1, sm: 2 } }}>
            <ErrorAlert error={calls.error} title="LLM calls unavailable" />
            <Transcript messages={messages} llmCalls={calls.data?.llm_calls ?? []} stageName={stageName} />
            <Divider sx={{ my: 2 }} />
            <AgentReplyBox
              businessId={businessId}
              conversationId={conversationId}
              closed={c.status === 'closed'}
              aiStopped={!!(c.ai_control?.is_stopped ?? c.ai_stopped)}
              onSent={() => calls.refetch()}
            />
          </Paper>
        </Grid>
        <Grid size={{ xs: 12, md: 4 }}>
          <SidePanel businessId={businessId} detail={detail.data} stageName={stageName} />
        </Grid>
      </Grid>
    </>
  );
}

function AgentReplyBox({
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

function SidePanel({
  businessId,
  detail,
  stageName,
}: {
  businessId: string;
  detail: ConversationDetail;
  stageName: (id: string | null | undefined) => string | null;
}) {
  const navigate = useNavigate();
  const c = detail.conversation;
  const ai = useAiControl(businessId, c.conversation_id);
  const status = useUpdateConversationStatus(businessId, c.conversation_id);
  const del = useDeleteConversation(businessId);
  const [hours, setHours] = useState('');
  const [confirmDelete, setConfirmDelete] = useState(false);
  const stopped = !!(c.ai_control?.is_stopped ?? c.ai_stopped);
  const data = Object.entries(c.collected_data ?? detail.collected_data ?? {});

  return (
    <Stack spacing={2}>
      <Paper sx={{ p: 2 }}>
        <Stack spacing={1}>
          <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', rowGap: 1 }}>
            <Chip label={c.status} color={c.status === 'active' ? 'success' : 'default'} />
            <Chip
              label={stopped ? 'AI stopped' : 'AI active'}
              color={stopped ? 'warning' : 'primary'}
              variant="outlined"
            />
            {c.channel && <Chip label={c.channel} variant="outlined" />}
          </Stack>
          <Typography variant="body2">
            Current stage: <strong>{stageName(c.stage_id) ?? c.stage_name ?? '—'}</strong>
          </Typography>
          {stopped && c.ai_control?.expiration_time && (
            <Typography variant="body2" color="text.secondary">
              AI resumes automatically {formatDateTime(c.ai_control.expiration_time)}
            </Typography>
          )}
          {stopped ? (
            <Button
              variant="contained"
              startIcon={<PlayCircleIcon />}
              disabled={ai.isPending}
              onClick={() => ai.mutate({ action: 'resume' })}
            >
              Resume AI
            </Button>
          ) : (
            <Stack direction="row" spacing={1}>
              <TextField
                select
                label="For"
                value={hours}
                onChange={(e) => setHours(e.target.value)}
                sx={{ minWidth: 120 }}
                slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
              >
                <MenuItem value="">Until resumed</MenuItem>
                <MenuItem value="1">1 hour</MenuItem>
                <MenuItem value="4">4 hours</MenuItem>
                <MenuItem value="24">24 hours</MenuItem>
              </TextField>
              <Button
                variant="contained"
                color="warning"
                startIcon={<PauseCircleIcon />}
                disabled={ai.isPending}
                onClick={() =>
                  ai.mutate({ action: 'stop', durationHours: hours ? Number(hours) : undefined })
                }
                sx={{ flex: 1 }}
              >
                Stop AI
              </Button>
            </Stack>
          )}
          <ErrorAlert error={ai.error} />
          <Stack direction="row" spacing={1}>
            <Button
              variant="outlined"
              disabled={status.isPending}
              onClick={() => status.mutate(c.status === 'closed' ? 'active' : 'closed')}
              sx={{ flex: 1 }}
            >
              {c.status === 'closed' ? 'Reopen conversation' : 'Close conversation'}
            </Button>
            <Button
              color="error"
              variant="outlined"
              startIcon={<DeleteIcon />}
              onClick={() => setConfirmDelete(true)}
            >
              Delete
            </Button>
          </Stack>
          <ErrorAlert error={status.error} />
        </Stack>
      </Paper>
      <Paper sx={{ p: 2 }}>
        <Typography variant="h3" component="h2" gutterBottom>
          Collected data
        </Typography>
        {data.length === 0 ? (
          <Typography variant="body2" color="text.secondary">
            Nothing extracted yet.
          </Typography>
        ) : (
          <Table size="small" aria-label="Collected data">
            <TableBody>
              {data.map(([k, v]) => (
                <TableRow key={k}>
                  <TableCell component="th" scope="row" sx={{ fontWeight: 600, pl: 0 }}>
                    {k}
                  </TableCell>
                  <TableCell sx={{ wordBreak: 'break-word' }}>{formatValue(v)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Paper>
      <Paper sx={{ p: 2 }}>
        <Typography variant="h3" component="h2" gutterBottom>
          Stage history
        </Typography>
        {detail.stage_transitions.length === 0 ? (
          <Typography variant="body2" color="text.secondary">
            The conversation has stayed in its first stage.
          </Typography>
        ) : (
          <Stack component="ol" spacing={0.75} sx={{ pl: 2.5, m: 0 }} aria-label="Stage history">
            {detail.stage_transitions.map((t) => (
              <li key={`${t.created_at}-${t.to_stage_id}`}>
                <Typography variant="body2">
                  {stageName(t.from_stage_id) ?? 'start'} → <strong>{stageName(t.to_stage_id)}</strong>
                </Typography>
                <Typography variant="caption" color="text.secondary">
                  {formatDateTime(t.created_at)}
                </Typography>
              </li>
            ))}
          </Stack>
        )}
      </Paper>
      <ConfirmDialog
        open={confirmDelete}
        title="Delete conversation?"
        message="Its messages, extracted data and LLM call log are removed for good."
        pending={del.isPending}
        error={del.error}
        onClose={() => setConfirmDelete(false)}
        onConfirm={() =>
          del.mutate(c.conversation_id, {
            onSuccess: () => navigate(paths.conversations(), { replace: true }),
          })
        }
      />
    </Stack>
  );
}
