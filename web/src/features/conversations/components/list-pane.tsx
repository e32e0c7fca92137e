import ClearIcon from '@mui/icons-material/Clear';
import DownloadIcon from '@mui/icons-material/Download';
import FilterListIcon from '@mui/icons-material/FilterList';
import SearchIcon from '@mui/icons-material/Search';
import {
  Badge,
  Box,
  Button,
  Collapse,
  IconButton,
  InputAdornment,
  MenuItem,
  Stack,
  Tab,
  Tabs,
  TextField,
  Typography,
} from '@mui/material';
import { type FormEvent, useRef, useState } from 'react';
import { DateRangeFields } from '@/components/date-range-fields';
import { EmptyState } from '@/components/empty-state';
import { ErrorAlert } from '@/components/error-alert';
import { LiveIndicator } from '@/components/live-indicator';
import { Loading, TopProgress } from '@/components/loading';
import { NotificationsButton } from '@/components/notifications-button';
import { conversationsExportUrl, useConversations } from '@/lib/api/conversations/list-conversations';
import { useFields } from '@/lib/api/fields/fields';
import { useStages } from '@/lib/api/stages/list-stages';
import { useSession } from '@/lib/auth/session';
import { useFocusOnNavigation } from '@/lib/route-focus';
import { useUrlFilters } from '@/lib/use-url-filters';
import { ConversationList } from './conversation-list';
import { CHANNELS, FILTER_KEYS, type FilterKey, inboxQuery, parseView, VIEWS } from './inbox-views';

const PAGE = 50;

const EMPTY: Record<string, string> = {
  mine: 'Nothing is assigned to you. Take over a conversation, or look at Unassigned.',
  unassigned: 'Every open conversation has someone on it.',
  waiting: 'No customer is waiting for a reply.',
  all: 'Conversations appear when customers write through the widget, WhatsApp, Messenger or the API.',
  closed: 'No closed conversations.',
};

/** The left pane: the title, the live state, the view tabs, the filters and the list. */
export function ListPane({
  businessId,
  selectedId,
  headingLevel,
  now,
  focusHeading = false,
}: {
  businessId: string;
  selectedId: string | undefined;
  headingLevel: 'h1' | 'h2';
  now: number;
  /** On a phone, where the list is the page: its heading takes the focus after a navigation. */
  focusHeading?: boolean;
}) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  useFocusOnNavigation(headingRef, focusHeading);
  const { params, get, update, clear } = useUrlFilters();
  const { user } = useSession();
  const view = parseView(params.get('view'));
  const [limit, setLimit] = useState(PAGE);
  const [q, setQ] = useState(get('q'));
  const [dataKey, setDataKey] = useState(get('data_key'));
  const [dataValue, setDataValue] = useState(get('data_value'));
  const activeFilters = FILTER_KEYS.filter((k) => k !== 'q' && k !== 'data_value' && params.get(k)).length;
  const [showFilters, setShowFilters] = useState(activeFilters > 0);
  const filters = inboxQuery(view, (k: FilterKey) => get(k), limit);
  const list = useConversations(businessId, filters);
  const stages = useStages(businessId);
  const fields = useFields(businessId).data?.fields ?? [];
  const columnNames = get('columns').split(',').filter(Boolean);
  const fieldColumns = fields.filter((f) => columnNames.includes(f.name));
  const exportUrl = conversationsExportUrl(
    businessId,
    filters,
    fieldColumns.map((f) => f.name),
  );
  const rows = list.data?.conversations ?? [];
  const search = params.toString() ? `?${params}` : '';
  const anyFilter = FILTER_KEYS.some((k) => params.get(k));

  function submitSearch(e: FormEvent) {
    e.preventDefault();
    update({ q: q.trim() });
  }
  function submitData(e: FormEvent) {
    e.preventDefault();
    update({ data_key: dataKey.trim(), data_value: dataKey.trim() ? dataValue : '' });
  }

  return (
    <Box sx={{ display: 'flex', flexDirection: 'column', height: '100%', minHeight: 0 }}>
      <Box sx={{ px: 1.5, pt: 1.5 }}>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', rowGap: 0.5 }}>
          <Typography
            ref={headingRef}
            tabIndex={-1}
            variant="h2"
            component={headingLevel}
            sx={{ flex: 1, fontSize: '1.35rem', '&:focus': { outline: 'none' } }}
          >
            Conversations
          </Typography>
          <LiveIndicator />
        </Stack>
        <NotificationsButton />
        <Tabs
          value={view}
          onChange={(_, v: string) => {
            setLimit(PAGE);
            update({ view: v === 'all' ? '' : v });
          }}
          variant="scrollable"
          scrollButtons={false}
          aria-label="Views"
          sx={{
            minHeight: 40,
            '& .MuiTab-root': { minHeight: 40, minWidth: 0, px: 1, fontSize: '0.8125rem' },
          }}
        >
          {VIEWS.map((v) => (
            <Tab key={v.id} value={v.id} label={v.label} />
          ))}
        </Tabs>
        <Stack direction="row" spacing={0.5} sx={{ alignItems: 'center', py: 1 }}>
          <Box component="form" role="search" onSubmit={submitSearch} sx={{ flex: 1 }}>
            <TextField
              size="small"
              fullWidth
              type="search"
              placeholder="Search messages"
              value={q}
              onChange={(e) => {
                setQ(e.target.value);
                if (!e.target.value) update({ q: '' });
              }}
              slotProps={{
                htmlInput: { 'aria-label': 'Search messages' },
                input: {
                  startAdornment: (
                    <InputAdornment position="start">
                      <SearchIcon fontSize="small" />
                    </InputAdornment>
                  ),
                },
              }}
            />
          </Box>
          <IconButton
            aria-label={activeFilters ? `Filters (${activeFilters} on)` : 'Filters'}
            aria-expanded={showFilters}
            aria-controls="inbox-filters"
            onClick={() => setShowFilters((s) => !s)}
          >
            <Badge badgeContent={activeFilters} color="primary">
              <FilterListIcon />
            </Badge>
          </IconButton>
        </Stack>
        <Collapse in={showFilters}>
          <Box
            id="inbox-filters"
            role="group"
            aria-label="Conversation filters"
            sx={{ display: 'grid', gap: 1, gridTemplateColumns: '1fr 1fr', pb: 1 }}
          >
            <TextField
              select
              size="small"
              label="Channel"
              value={get('channel')}
              onChange={(e) => update({ channel: e.target.value })}
            >
              <MenuItem value="">Any channel</MenuItem>
              {CHANNELS.map((c) => (
                <MenuItem key={c.value} value={c.value}>
                  {c.label}
                </MenuItem>
              ))}
            </TextField>
            <TextField
              select
              size="small"
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
              size="small"
              label="Status"
              value={get('status')}
              onChange={(e) => update({ status: e.target.value })}
            >
              <MenuItem value="">As the view says</MenuItem>
              <MenuItem value="active">Open</MenuItem>
              <MenuItem value="closed">Closed</MenuItem>
              <MenuItem value="any">Open or closed</MenuItem>
            </TextField>
            <Box />
            <DateRangeFields from={get('from')} to={get('to')} onChange={update} subject="Active" />
            <Box
              component="form"
              onSubmit={submitData}
              aria-label="Collected data filter"
              sx={{ gridColumn: '1 / -1', display: 'flex', gap: 1, alignItems: 'center' }}
            >
              <TextField
                size="small"
                label="Data key"
                placeholder="email"
                value={dataKey}
                onChange={(e) => setDataKey(e.target.value)}
                slotProps={{ htmlInput: { list: fields.length ? 'inbox-field-names' : undefined } }}
              />
              <datalist id="inbox-field-names">
                {fields.map((f) => (
                  <option key={f.name} value={f.name}>
                    {f.label}
                  </option>
                ))}
              </datalist>
              <Typography aria-hidden>=</Typography>
              <TextField
                size="small"
                label="Value"
                placeholder="18..30"
                title="Numbers and dates take ranges: min..max"
                value={dataValue}
                onChange={(e) => setDataValue(e.target.value)}
              />
              <Button type="submit" size="small">
                Apply
              </Button>
            </Box>
            {fields.length > 0 && (
              <TextField
                select
                size="small"
                label="Field columns"
                value={fieldColumns.map((f) => f.name)}
                onChange={(e) => {
                  const v = e.target.value as unknown as string[] | string;
                  update({ columns: (Array.isArray(v) ? v : v.split(',')).join(',') });
                }}
                slotProps={{
                  select: {
                    multiple: true,
                    renderValue: (v) =>
                      (v as string[]).map((n) => fields.find((f) => f.name === n)?.label ?? n).join(', '),
                  },
                }}
              >
                {fields.map((f) => (
                  <MenuItem key={f.name} value={f.name}>
                    {f.label}
                  </MenuItem>
                ))}
              </TextField>
            )}
            <Button
              component="a"
              href={exportUrl}
              download
              size="small"
              variant="outlined"
              startIcon={<DownloadIcon />}
              sx={{ justifySelf: 'start', alignSelf: 'center' }}
            >
              Export CSV
            </Button>
            {anyFilter && (
              <Button
                size="small"
                startIcon={<ClearIcon />}
                sx={{ justifySelf: 'start' }}
                onClick={() => {
                  setQ('');
                  setDataKey('');
                  setDataValue('');
                  const v = params.get('view');
                  clear();
                  if (v) update({ view: v });
                }}
              >
                Clear filters
              </Button>
            )}
          </Box>
        </Collapse>
      </Box>
      <TopProgress active={list.isFetching && !list.isLoading} />
      <Box sx={{ flex: 1, minHeight: 0, overflow: 'auto', borderTop: 1, borderColor: 'divider' }}>
        <ErrorAlert error={list.error} onRetry={() => list.refetch()} />
        {list.isLoading ? (
          <Loading label="Loading conversations" />
        ) : rows.length === 0 && !list.error ? (
          <Box sx={{ p: 1.5 }}>
            <EmptyState
              title={anyFilter ? 'No conversation matches' : 'Nothing here'}
              description={anyFilter ? 'Change or clear the filters.' : EMPTY[view]}
            />
          </Box>
        ) : (
          <>
            <ConversationList
              rows={rows}
              selectedId={selectedId}
              search={search}
              myAccountId={user?.id ?? null}
              now={now}
              fields={fieldColumns}
            />
            {(list.data?.total ?? 0) > rows.length && (
              <Box sx={{ p: 1, textAlign: 'center' }}>
                <Button
                  size="small"
                  onClick={() => setLimit((l) => Math.min(100, l + PAGE))}
                  disabled={limit >= 100}
                >
                  Show more
                </Button>
              </Box>
            )}
          </>
        )}
      </Box>
    </Box>
  );
}
