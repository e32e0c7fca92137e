import ClearIcon from '@mui/icons-material/Clear';
import {
  Box,
  Button,
  Chip,
  Link,
  MenuItem,
  Paper,
  Stack,
  TableCell,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { type FormEvent, useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { ChannelChip } from '@/components/channel-chip';
import { EmptyState } from '@/components/empty-state';
import { ListView } from '@/components/list-view';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import { type ConversationFilters, useConversations } from '@/lib/api/conversations/list-conversations';
import { userLabel, useUsers } from '@/lib/api/conversations/list-users';
import type { ConversationSummary } from '@/lib/api/models';
import { useStages } from '@/lib/api/stages/list-stages';
import { formatDateTime } from '@/lib/format';
import { paths } from '@/lib/paths';
import { useUrlFilters } from '@/lib/use-url-filters';

export function ConversationsPage() {
  return (
    <RequireBusiness>
      {(businessId) => <Conversations key={businessId} businessId={businessId} />}
    </RequireBusiness>
  );
}

const FILTER_KEYS = ['status', 'stage_id', 'user_id', 'q', 'from', 'to', 'data_key', 'data_value'] as const;

function lastMessageText(c: ConversationSummary): string {
  return c.last_message?.message_content ?? '';
}

/** Dates from `<input type="date">` become the start / end of that day in local time, as ISO. */
function dayBound(value: string, end: boolean): string | undefined {
  if (!value) return undefined;
  const d = new Date(`${value}T${end ? '23:59:59.999' : '00:00:00'}`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function Conversations({ businessId }: { businessId: string }) {
  const { params, get, update, clear } = useUrlFilters();
  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const perPage = Number(params.get('per_page') ?? '20') || 20;
  const [q, setQ] = useState(get('q'));
  const [dataKey, setDataKey] = useState(get('data_key'));
  const [dataValue, setDataValue] = useState(get('data_value'));

  const filters: ConversationFilters = {
    status: (get('status') || undefined) as ConversationFilters['status'],
    stage_id: get('stage_id') || undefined,
    user_id: get('user_id') || undefined,
    q: get('q') || undefined,
    from: dayBound(get('from'), false),
    to: dayBound(get('to'), true),
    data: get('data_key') ? { [get('data_key')]: get('data_value') } : undefined,
    page,
    per_page: perPage,
  };
  const list = useConversations(businessId, filters, { refetchInterval: 15_000 });
  const stages = useStages(businessId);
  const users = useUsers(businessId);
  const stageName = new Map((stages.data?.stages ?? []).map((s) => [s.stage_id, s.stage_name]));

  function submitText(e: FormEvent) {
    e.preventDefault();
    update({ q, data_key: dataKey.trim(), data_value: dataKey.trim() ? dataValue : '' });
  }
  const anyFilter = FILTER_KEYS.some((k) => params.get(k));
  const rows = list.data?.conversations ?? [];

  return (
    <>
      <PageHeader title="Conversations" subtitle="Every conversation with your customers, newest first." />
      <Paper sx={{ p: 1.5, mb: 2 }}>
        <Box
          component="form"
          onSubmit={submitText}
          aria-label="Conversation filters"
          sx={{
            display: 'grid',
            gap: 1.5,
            gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr', lg: 'repeat(4, 1fr)' },
          }}
        >
          <TextField
            select
            label="Status"
            value={get('status')}
            onChange={(e) => update({ status: e.target.value })}
          >
            <MenuItem value="">Any status</MenuItem>
            <MenuItem value="active">Active</MenuItem>
            <MenuItem value="closed">Closed</MenuItem>
          </TextField>
          <TextField
            select
            label="Stage"
            value={get('stage_id')}
            onChange={(e) => update({ stage_id: e.target.value })}
          >
            <MenuItem value="">Any stage</MenuItem>
            {(stages.data?.stages ?? []).map((s) => (
              <MenuItem key={s.stage_id} value={s.stage_id}>
                {s.stage_name}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            select
            label="User"
            value={get('user_id')}
            onChange={(e) => update({ user_id: e.target.value })}
          >
            <MenuItem value="">Any user</MenuItem>
            {(users.data?.users ?? []).map((u) => (
              <MenuItem key={u.user_id} value={u.user_id}>
                {userLabel(u)}
              </MenuItem>
            ))}
          </TextField>
          <TextField label="Search messages" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
          <TextField
            label="From"
            type="date"
            value={get('from')}
            onChange={(e) => update({ from: e.target.value })}
            slotProps={{ inputLabel: { shrink: true } }}
          />
          <TextField
            label="To"
            type="date"
            value={get('to')}
            onChange={(e) => update({ to: e.target.value })}
            slotProps={{ inputLabel: { shrink: true } }}
          />
          <TextField
            label="Collected data key"
            placeholder="email"
            value={dataKey}
            onChange={(e) => setDataKey(e.target.value)}
          />
          <TextField
            label="Collected data value"
            value={dataValue}
            onChange={(e) => setDataValue(e.target.value)}
          />
          <Stack direction="row" spacing={1} sx={{ gridColumn: { lg: '1 / -1' } }}>
            <Button type="submit" variant="contained">
              Apply filters
            </Button>
            {anyFilter && (
              <Button
                startIcon={<ClearIcon />}
                onClick={() => {
                  setQ('');
                  setDataKey('');
                  setDataValue('');
                  clear();
                }}
              >
                Clear filters
              </Button>
            )}
          </Stack>
        </Box>
      </Paper>
      <ListView
        query={list}
        label="Conversations"
        showRefetch
        empty={
          rows.length === 0 && (
            <EmptyState
              title={anyFilter ? 'No conversation matches these filters' : 'No conversations yet'}
              description={
                anyFilter
                  ? 'Change or clear the filters.'
                  : 'Conversations appear when customers write through the API, the widget or a messaging channel. Try the Simulator to start one.'
              }
              action={
                anyFilter ? undefined : (
                  <Button component={RouterLink} to={paths.simulator()} variant="contained">
                    Open the Simulator
                  </Button>
                )
              }
            />
          )
        }
        head={
          <>
            <TableCell>Customer</TableCell>
            <TableCell>Channel</TableCell>
            <TableCell>Stage</TableCell>
            <TableCell>Status</TableCell>
            <TableCell sx={{ display: { xs: 'none', md: 'table-cell' } }}>Last message</TableCell>
            <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }} align="right">
              Messages
            </TableCell>
            <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }}>Updated</TableCell>
          </>
        }
        paging={{
          total: list.data?.total ?? 0,
          page,
          perPage,
          perPageOptions: [20, 50, 100],
          onPage: (p) => update({ page: String(p) }),
          onPerPage: (n) => update({ per_page: n, page: '' }),
        }}
      >
        {rows.map((c) => (
          <TableRow key={c.conversation_id} hover>
            <TableCell>
              <Link
                component={RouterLink}
                to={paths.conversation(c.conversation_id)}
                sx={{ fontWeight: 600 }}
              >
                {c.user_name || `User ${c.user_id.slice(0, 8)}`}
              </Link>
            </TableCell>
            <TableCell>
              <ChannelChip channel={c.channel} />
            </TableCell>
            <TableCell>
              {c.stage_name ?? (c.stage_id ? stageName.get(c.stage_id) : undefined) ?? '—'}
            </TableCell>
            <TableCell>
              <Stack direction="row" spacing={0.5}>
                <Chip
                  size="small"
                  label={c.status}
                  color={c.status === 'active' ? 'success' : 'default'}
                  variant="outlined"
                />
                {c.ai_stopped && <Chip size="small" label="AI stopped" color="warning" />}
              </Stack>
            </TableCell>
            <TableCell sx={{ display: { xs: 'none', md: 'table-cell' }, maxWidth: 360 }}>
              <Typography variant="body2" noWrap title={lastMessageText(c)}>
                {lastMessageText(c) || '—'}
              </Typography>
            </TableCell>
            <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }} align="right">
              {c.message_count ?? '—'}
            </TableCell>
            <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' } }}>
              {formatDateTime(c.last_updated ?? c.start_time)}
            </TableCell>
          </TableRow>
        ))}
      </ListView>
    </>
  );
}
