import AddIcon from '@mui/icons-material/Add';
import ArrowBackIcon from '@mui/icons-material/ArrowBack';
import DeleteOutlineIcon from '@mui/icons-material/DeleteOutlineOutlined';
import EditIcon from '@mui/icons-material/Edit';
import {
  Box,
  Button,
  IconButton,
  Link,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { type FormEvent, useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { ErrorAlert } from '@/components/error-alert';
import { useUserConversations } from '@/lib/api/conversations/list-user-conversations';
import { useUpdateCollectedData } from '@/lib/api/conversations/update-collected-data';
import { fieldErrorsOf } from '@/lib/api/errors';
import type { InboxConversationDetail } from '@/lib/api/inbox-models';
import { useCan } from '@/lib/auth/permissions';
import { formatDateTime, formatValue } from '@/lib/format';
import { paths } from '@/lib/paths';

const KEY_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;

/** Who the customer is, what the assistant collected (editable), the stage history and their other conversations. */
export function CustomerPanel({
  businessId,
  detail,
  stageName,
  onBack,
  headingLevel = 'h2',
}: {
  businessId: string;
  detail: InboxConversationDetail;
  stageName: (id: string | null | undefined) => string | null;
  /** On a phone: back to the conversation. */
  onBack?: () => void;
  /** h1 when the panel is the whole page (a phone). */
  headingLevel?: 'h1' | 'h2';
}) {
  const c = detail.conversation;
  const customer = detail.customer;
  const identity: [string, string | null | undefined][] = [
    ['E-mail', customer?.email],
    ['Phone', customer?.phone],
    ['WhatsApp ID', customer?.whatsapp_id],
    ['Messenger PSID', customer?.messenger_psid],
  ];
  return (
    <Stack spacing={2} sx={{ p: { xs: 1.5, sm: 2 } }} component="section" aria-label="Customer">
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
        {onBack && (
          <IconButton onClick={onBack} aria-label="Back to the conversation" edge="start">
            <ArrowBackIcon />
          </IconButton>
        )}
        <Box sx={{ minWidth: 0 }}>
          <Typography variant="overline" color="text.secondary" component="p">
            Customer
          </Typography>
          <Typography variant="h3" component={headingLevel} sx={{ wordBreak: 'break-word' }}>
            {c.user_name || customer?.name || 'Unknown customer'}
          </Typography>
        </Box>
      </Stack>
      <Box
        component="dl"
        sx={{ m: 0, display: 'grid', gridTemplateColumns: 'auto 1fr', columnGap: 1.5, rowGap: 0.5 }}
      >
        {identity
          .filter(([, v]) => !!v)
          .map(([k, v]) => (
            <Box key={k} sx={{ display: 'contents' }}>
              <Typography component="dt" variant="body2" color="text.secondary">
                {k}
              </Typography>
              <Typography component="dd" variant="body2" sx={{ m: 0, wordBreak: 'break-all' }}>
                {v}
              </Typography>
            </Box>
          ))}
        <Box sx={{ display: 'contents' }}>
          <Typography component="dt" variant="body2" color="text.secondary">
            Conversation started
          </Typography>
          <Typography component="dd" variant="body2" sx={{ m: 0 }}>
            {formatDateTime(c.start_time)}
          </Typography>
        </Box>
      </Box>
      <CollectedData
        businessId={businessId}
        conversationId={c.conversation_id}
        data={c.collected_data ?? detail.collected_data ?? {}}
      />
      <Box>
        <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 700, mb: 0.5 }}>
          Stage history
        </Typography>
        <Typography variant="body2" sx={{ mb: 0.5 }}>
          Now: <strong>{stageName(c.stage_id) ?? c.stage_name ?? '—'}</strong>
        </Typography>
        {detail.stage_transitions.length === 0 ? (
          <Typography variant="body2" color="text.secondary">
            The conversation has stayed in its first stage.
          </Typography>
        ) : (
          <Stack component="ol" spacing={0.5} sx={{ pl: 2.5, m: 0 }} aria-label="Stage history">
            {detail.stage_transitions.map((t) => (
              <li key={t.stage_transition_id}>
                <Typography variant="body2">
                  {t.from_stage_id === null
                    ? 'start'
                    : (stageName(t.from_stage_id) ?? t.from_stage_name ?? 'deleted stage')}{' '}
                  → <strong>{stageName(t.to_stage_id) ?? t.to_stage_name ?? 'deleted stage'}</strong>
                </Typography>
                <Typography variant="caption" color="text.secondary">
                  {formatDateTime(t.created_at)}
                  {t.reason ? ` · ${transitionReason(t.reason)}` : ''}
                </Typography>
              </li>
            ))}
          </Stack>
        )}
      </Box>
      <PreviousConversations businessId={businessId} userId={c.user_id} currentId={c.conversation_id} />
    </Stack>
  );
}

function CollectedData({
  businessId,
  conversationId,
  data,
}: {
  businessId: string;
  conversationId: string;
  data: Record<string, unknown>;
}) {
  const handle = useCan('conversations.handle');
  const update = useUpdateCollectedData(businessId, conversationId);
  const [editing, setEditing] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [newKey, setNewKey] = useState('');
  const [newValue, setNewValue] = useState('');
  const [keyError, setKeyError] = useState<string | null>(null);
  const entries = Object.entries(data);
  const fe = fieldErrorsOf(update.error);

  function save(key: string, value: string | null, done: () => void) {
    update.mutate({ [key]: value }, { onSuccess: done });
  }
  function add(e: FormEvent) {
    e.preventDefault();
    const key = newKey.trim();
    if (!KEY_PATTERN.test(key)) {
      setKeyError('Letters, digits and _, starting with a letter.');
      return;
    }
    setKeyError(null);
    save(key, newValue, () => {
      setNewKey('');
      setNewValue('');
    });
  }

  return (
    <Box>
      <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 700, mb: 0.5 }}>
        Collected data
      </Typography>
      {entries.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          Nothing collected yet.
        </Typography>
      ) : (
        <Table size="small" aria-label="Collected data">
          <TableBody>
            {entries.map(([k, v]) => (
              <TableRow key={k}>
                <TableCell component="th" scope="row" sx={{ fontWeight: 600, pl: 0, verticalAlign: 'top' }}>
                  {k}
                </TableCell>
                <TableCell sx={{ wordBreak: 'break-word', pr: 0 }}>
                  {editing === k ? (
                    <Box
                      component="form"
                      aria-label={`Edit ${k}`}
                      onSubmit={(e: FormEvent) => {
                        e.preventDefault();
                        save(k, draft, () => setEditing(null));
                      }}
                    >
                      <TextField
                        size="small"
                        fullWidth
                        autoFocus
                        label={k}
                        value={draft}
                        onChange={(e) => setDraft(e.target.value)}
                        onKeyDown={(e) => e.key === 'Escape' && setEditing(null)}
                      />
                      <Stack direction="row" spacing={1} sx={{ mt: 0.5 }}>
                        <Button size="small" type="submit" variant="contained" disabled={update.isPending}>
                          Save
                        </Button>
                        <Button size="small" onClick={() => setEditing(null)}>
                          Cancel
                        </Button>
                      </Stack>
                    </Box>
                  ) : (
                    <Stack direction="row" sx={{ alignItems: 'flex-start' }}>
                      <Box sx={{ flex: 1, pt: 0.5 }}>{formatValue(v)}</Box>
                      {handle.allowed && (
                        <>
                          <IconButton
                            size="small"
                            aria-label={`Edit ${k}`}
                            onClick={() => {
                              setEditing(k);
                              setDraft(typeof v === 'string' ? v : formatValue(v));
                            }}
                          >
                            <EditIcon fontSize="small" />
                          </IconButton>
                          <IconButton
                            size="small"
                            aria-label={`Remove ${k}`}
                            disabled={update.isPending}
                            onClick={() => save(k, null, () => {})}
                          >
                            <DeleteOutlineIcon fontSize="small" />
                          </IconButton>
                        </>
                      )}
                    </Stack>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {handle.allowed && (
        <Box component="form" onSubmit={add} aria-label="Add collected data" sx={{ mt: 1 }}>
          <Stack direction="row" spacing={1}>
            <TextField
              size="small"
              label="Field"
              value={newKey}
              onChange={(e) => setNewKey(e.target.value)}
              error={!!keyError || !!fe.data}
              helperText={keyError ?? fe.data}
              sx={{ flex: 1 }}
            />
            <TextField
              size="small"
              label="Value"
              value={newValue}
              onChange={(e) => setNewValue(e.target.value)}
              sx={{ flex: 1 }}
            />
            <IconButton type="submit" aria-label="Add field" disabled={!newKey.trim() || update.isPending}>
              <AddIcon />
            </IconButton>
          </Stack>
        </Box>
      )}
      {!fe.data && <ErrorAlert error={update.error} />}
    </Box>
  );
}

function PreviousConversations({
  businessId,
  userId,
  currentId,
}: {
  businessId: string;
  userId: string;
  currentId: string;
}) {
  const q = useUserConversations(businessId, userId);
  const others = (q.data?.conversations ?? []).filter((x) => x.conversation_id !== currentId);
  return (
    <Box>
      <Typography variant="subtitle1" component="h3" sx={{ fontWeight: 700, mb: 0.5 }}>
        Previous conversations
      </Typography>
      <ErrorAlert error={q.error} />
      {q.isSuccess && others.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          None: this is their first conversation.
        </Typography>
      ) : (
        <Stack
          component="ul"
          spacing={0.75}
          sx={{ listStyle: 'none', p: 0, m: 0 }}
          aria-label="Previous conversations"
        >
          {others.map((o) => (
            <li key={o.conversation_id}>
              <Link component={RouterLink} to={paths.conversation(o.conversation_id)} variant="body2">
                {formatDateTime(o.start_time)}
              </Link>
              <Typography variant="caption" color="text.secondary" component="p" noWrap>
                {o.status} · {o.messages.length} messages
                {o.messages.length > 0 ? ` · “${o.messages[o.messages.length - 1]?.message_content}”` : ''}
              </Typography>
            </li>
          ))}
        </Stack>
      )}
    </Box>
  );
}

/** `selection` → chosen by the model; `rule:<label>` → the rule's label. */
function transitionReason(reason: string) {
  if (reason === 'selection') return 'chosen by the model';
  return reason.startsWith('rule:') ? `rule: ${reason.slice(5)}` : reason;
}
