import SmartToyIcon from '@mui/icons-material/SmartToy';
import { Box, Chip, List, ListItemButton, Stack, Typography } from '@mui/material';
import { Link as RouterLink } from 'react-router-dom';
import { ChannelIcon } from '@/components/channel-icon';
import type { InboxConversationSummary } from '@/lib/api/inbox-models';
import { paths } from '@/lib/paths';
import { relativeTime, shortAge } from '@/lib/relative-time';

/** A field shown on each row (the inbox's column picker). */
export interface FieldColumn {
  name: string;
  label: string;
}

/** A collected value as a short text (objects as JSON). */
const shown = (value: unknown) =>
  value === null || value === undefined || value === ''
    ? '—'
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);

const SENDER_PREFIX: Record<string, string> = { assistant: 'AI: ', agent: 'Team: ' };

/** The inbox's list: newest activity first, one compact row per conversation. */
export function ConversationList({
  rows,
  selectedId,
  search,
  myAccountId,
  now,
  fields = [],
}: {
  rows: InboxConversationSummary[];
  /** Collected fields shown on every row. */
  fields?: FieldColumn[];
  selectedId: string | undefined;
  /** The list's query string, kept when a row is opened. */
  search: string;
  myAccountId: string | null;
  now: number;
}) {
  return (
    <List
      disablePadding
      aria-label="Conversations"
      sx={{ '& > li + li': { borderTop: 1, borderColor: 'divider' } }}
    >
      {rows.map((c) => (
        <li key={c.conversation_id}>
          <Row
            c={c}
            selected={c.conversation_id === selectedId}
            search={search}
            myAccountId={myAccountId}
            now={now}
            fields={fields}
          />
        </li>
      ))}
    </List>
  );
}

function Row({
  c,
  selected,
  search,
  myAccountId,
  now,
  fields,
}: {
  c: InboxConversationSummary;
  selected: boolean;
  search: string;
  myAccountId: string | null;
  now: number;
  fields: FieldColumn[];
}) {
  const name = c.user_name || 'Customer';
  const last = c.last_message?.message_content ?? '';
  const unread = c.unread_count > 0;
  const at = c.last_updated ?? c.start_time;
  const assignee = c.assignee_id
    ? c.assignee_id === myAccountId
      ? 'Me'
      : (c.assignee_name ?? 'Assigned')
    : null;
  return (
    <ListItemButton
      component={RouterLink}
      to={`${paths.conversation(c.conversation_id)}${search}`}
      selected={selected}
      aria-current={selected ? 'page' : undefined}
      sx={{ display: 'block', py: 1, px: 1.5 }}
    >
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', minWidth: 0 }}>
        <ChannelIcon channel={c.channel} />
        <Typography variant="body2" noWrap sx={{ flex: 1, minWidth: 0, fontWeight: unread ? 700 : 500 }}>
          {name}
        </Typography>
        <Typography
          variant="caption"
          color="text.secondary"
          title={relativeTime(at, now)}
          sx={{ flexShrink: 0 }}
        >
          {shortAge(at, now)}
        </Typography>
      </Stack>
      <Stack direction="row" spacing={1} sx={{ alignItems: 'center', mt: 0.25, minWidth: 0 }}>
        <Typography
          variant="body2"
          color={unread ? 'text.primary' : 'text.secondary'}
          noWrap
          sx={{ flex: 1, minWidth: 0 }}
        >
          {SENDER_PREFIX[c.last_message?.sender_type ?? ''] ?? ''}
          {last || '—'}
        </Typography>
        {unread && (
          <Box
            component="span"
            role="img"
            aria-label={`${c.unread_count} unread`}
            sx={{
              flexShrink: 0,
              minWidth: 20,
              height: 20,
              px: 0.75,
              borderRadius: 10,
              bgcolor: 'primary.main',
              color: 'primary.contrastText',
              fontSize: 12,
              fontWeight: 700,
              display: 'inline-flex',
              alignItems: 'center',
              justifyContent: 'center',
            }}
          >
            {c.unread_count > 99 ? '99+' : c.unread_count}
          </Box>
        )}
      </Stack>
      {fields.length > 0 && (
        <Typography
          variant="caption"
          color="text.secondary"
          component="p"
          noWrap
          data-testid="row-fields"
          sx={{ mt: 0.25, minWidth: 0 }}
        >
          {fields.map((f) => `${f.label}: ${shown(c.collected_data?.[f.name])}`).join(' · ')}
        </Typography>
      )}
      {(c.waiting_since || c.ai_stopped || assignee || c.status === 'closed') && (
        <Stack direction="row" spacing={0.5} sx={{ mt: 0.5, flexWrap: 'wrap', rowGap: 0.5 }}>
          {c.waiting_since && c.status !== 'closed' && (
            <Chip
              size="small"
              color="error"
              label={`Waiting ${shortAge(c.waiting_since, now)}`}
              title={`Waiting ${relativeTime(c.waiting_since, now)}`}
            />
          )}
          {c.ai_stopped && (
            <Chip size="small" color="warning" variant="outlined" icon={<SmartToyIcon />} label="AI paused" />
          )}
          {assignee && (
            <Chip size="small" variant="outlined" label={assignee} title={`Assigned to ${assignee}`} />
          )}
          {c.status === 'closed' && <Chip size="small" label="Closed" />}
        </Stack>
      )}
    </ListItemButton>
  );
}
