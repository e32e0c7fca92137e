import DeleteIcon from '@mui/icons-material/Delete';
import PauseCircleIcon from '@mui/icons-material/PauseCircle';
import PlayCircleIcon from '@mui/icons-material/PlayCircle';
import {
  Button,
  Chip,
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
import { ChannelChip } from '@/components/channel-chip';
import { ConfirmDialog } from '@/components/confirm-dialog';
import { ErrorAlert } from '@/components/error-alert';
import type { ConversationDetail } from '@/lib/api/models';
import { useCan } from '@/lib/auth/permissions';
import { formatDateTime, formatValue } from '@/lib/format';
import { useConversationControls } from './use-conversation-controls';

/** Status, AI control, collected data and stage history of one conversation. */
export function ConversationSidePanel({
  businessId,
  detail,
  stageName,
}: {
  businessId: string;
  detail: ConversationDetail;
  stageName: (id: string | null | undefined) => string | null;
}) {
  const c = detail.conversation;
  const ctl = useConversationControls(businessId, c);
  const { ai, status, del, stopped } = ctl;
  const data = Object.entries(c.collected_data ?? detail.collected_data ?? {});
  const handle = useCan('conversations.handle');
  const canDelete = useCan('conversations.delete');

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
            {c.channel && <ChannelChip channel={c.channel} />}
          </Stack>
          <Typography variant="body2">
            Current stage: <strong>{stageName(c.stage_id) ?? c.stage_name ?? '—'}</strong>
          </Typography>
          {stopped && c.ai_control?.expiration_time && (
            <Typography variant="body2" color="text.secondary">
              AI resumes automatically {formatDateTime(c.ai_control.expiration_time)}
            </Typography>
          )}
          {!handle.allowed ? (
            <Typography variant="body2" color="text.secondary" role="note">
              {handle.reason}
            </Typography>
          ) : stopped ? (
            <Button
              variant="contained"
              startIcon={<PlayCircleIcon />}
              disabled={ai.isPending}
              onClick={ctl.resume}
            >
              Resume AI
            </Button>
          ) : (
            <Stack direction="row" spacing={1}>
              <TextField
                select
                label="For"
                value={ctl.hours}
                onChange={(e) => ctl.setHours(e.target.value)}
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
                onClick={ctl.stop}
                sx={{ flex: 1 }}
              >
                Stop AI
              </Button>
            </Stack>
          )}
          <ErrorAlert error={ai.error} />
          <Stack direction="row" spacing={1}>
            {handle.allowed && (
              <Button
                variant="outlined"
                disabled={status.isPending}
                onClick={ctl.toggleStatus}
                sx={{ flex: 1 }}
              >
                {c.status === 'closed' ? 'Reopen conversation' : 'Close conversation'}
              </Button>
            )}
            {canDelete.allowed && (
              <Button
                color="error"
                variant="outlined"
                startIcon={<DeleteIcon />}
                onClick={() => ctl.setConfirmDelete(true)}
              >
                Delete
              </Button>
            )}
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
        open={ctl.confirmDelete}
        title="Delete conversation?"
        message="Its messages, extracted data and LLM call log are removed for good."
        pending={del.isPending}
        error={del.error}
        onClose={() => ctl.setConfirmDelete(false)}
        onConfirm={ctl.remove}
      />
    </Stack>
  );
}
