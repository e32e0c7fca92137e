import ClearIcon from '@mui/icons-material/Clear';
import KeyboardArrowDownIcon from '@mui/icons-material/KeyboardArrowDown';
import KeyboardArrowRightIcon from '@mui/icons-material/KeyboardArrowRight';
import {
  Box,
  Button,
  Chip,
  Collapse,
  IconButton,
  Link,
  MenuItem,
  Paper,
  Stack,
  TableCell,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { Fragment, useMemo, useState } from 'react';
import { Link as RouterLink } from 'react-router-dom';
import { DateRangeFields } from '@/components/date-range-fields';
import { EmptyState } from '@/components/empty-state';
import { ListView } from '@/components/list-view';
import { PageHeader } from '@/components/page-header';
import { RequireBusiness } from '@/components/require-business';
import { useAuditLog } from '@/lib/api/audit/list-audit-log';
import type { AuditEntityType, AuditEntry, AuditLogQuery } from '@/lib/api/models';
import { diffFields } from '@/lib/field-diff';
import { formatDateTime, shortId } from '@/lib/format';
import { paths } from '@/lib/paths';
import { useUrlFilters } from '@/lib/use-url-filters';
import { AuditEntryDiff } from './audit-entry-diff';
import { ACTOR_TYPE_LABELS, actionLabel, ENTITY_LABELS, entityName, entityTypeLabel } from './audit-labels';

export function AuditLogPage() {
  return (
    <RequireBusiness>{(businessId) => <AuditLog key={businessId} businessId={businessId} />}</RequireBusiness>
  );
}

const FILTER_KEYS = ['entity_type', 'actor', 'from', 'to'] as const;
const ACTOR_TYPES = ['master', 'api_key', 'account'] as const;

/** Dates from `<input type="date">` become the start / end of that day in local time, as ISO. */
function dayBound(value: string, end: boolean): string | undefined {
  if (!value) return undefined;
  const d = new Date(`${value}T${end ? '23:59:59.999' : '00:00:00'}`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** "content, version +2 more" — the fields an update changed, for the collapsed row. */
function changeSummary(entry: AuditEntry): string {
  if (!entry.before && !entry.after) return '';
  if (!entry.before) return 'New';
  if (!entry.after) return 'Removed';
  const changed = diffFields(entry.before, entry.after)
    .filter((c) => c.kind !== 'same' && c.field !== 'updated_at')
    .map((c) => c.field);
  if (changed.length === 0) return 'No field changed';
  return changed.length > 3
    ? `${changed.slice(0, 3).join(', ')} +${changed.length - 3} more`
    : changed.join(', ');
}

/** Where the entity lives in the app, while it exists. */
function entityLink(entry: AuditEntry): string | null {
  if (entry.action === 'delete' || !entry.entity_id) return null;
  if (entry.entity_type === 'template') return paths.template(entry.entity_id);
  if (entry.entity_type === 'stage') return paths.stage(entry.entity_id);
  if (entry.entity_type === 'conversation') return paths.conversation(entry.entity_id);
  if (entry.entity_type === 'channel') return paths.channels();
  if (entry.entity_type === 'business') return paths.settings();
  return null;
}

function AuditLog({ businessId }: { businessId: string }) {
  const { params, get, update, clear } = useUrlFilters();
  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const perPage = Number(params.get('per_page') ?? '20') || 20;
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());

  const filters: AuditLogQuery = {
    entity_type: (get('entity_type') || undefined) as AuditEntityType | undefined,
    actor: get('actor') || undefined,
    from: dayBound(get('from'), false),
    to: dayBound(get('to'), true),
    page,
    per_page: perPage,
  };
  const list = useAuditLog(businessId, filters);
  const rows = list.data?.entries ?? [];
  const anyFilter = FILTER_KEYS.some((k) => params.get(k));
  const actor = get('actor');
  const actorIsId = actor !== '' && !(ACTOR_TYPES as readonly string[]).includes(actor);
  const actorNames = useMemo(
    () => new Map(rows.filter((e) => e.actor.id).map((e) => [e.actor.id as string, e.actor.name])),
    [rows],
  );

  const toggle = (id: string) =>
    setOpen((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <>
      <PageHeader
        title="Audit log"
        subtitle="Every change to this business’s configuration: who made it, when, and what it was before and after."
      />
      <Paper sx={{ p: 1.5, mb: 2 }}>
        <Stack
          role="group"
          aria-label="Audit log filters"
          direction={{ xs: 'column', sm: 'row' }}
          spacing={1.5}
          sx={{ alignItems: { sm: 'center' }, flexWrap: 'wrap', rowGap: 1.5 }}
        >
          <TextField
            select
            size="small"
            label="Entity"
            value={get('entity_type')}
            onChange={(e) => update({ entity_type: e.target.value })}
            sx={{ minWidth: 170 }}
          >
            <MenuItem value="">Everything</MenuItem>
            {Object.entries(ENTITY_LABELS).map(([value, label]) => (
              <MenuItem key={value} value={value}>
                {label}
              </MenuItem>
            ))}
          </TextField>
          <TextField
            select
            size="small"
            label="Who"
            value={actor}
            onChange={(e) => update({ actor: e.target.value })}
            sx={{ minWidth: 170 }}
          >
            <MenuItem value="">Anyone</MenuItem>
            {ACTOR_TYPES.map((type) => (
              <MenuItem key={type} value={type}>
                {ACTOR_TYPE_LABELS[type]}
              </MenuItem>
            ))}
            {actorIsId && (
              <MenuItem value={actor}>{actorNames.get(actor) ?? `Actor ${shortId(actor)}`}</MenuItem>
            )}
          </TextField>
          <DateRangeFields from={get('from')} to={get('to')} onChange={update} />
          {anyFilter && (
            <Button startIcon={<ClearIcon />} onClick={clear}>
              Clear filters
            </Button>
          )}
        </Stack>
      </Paper>
      <ListView
        query={list}
        label="Audit log"
        showRefetch
        empty={
          rows.length === 0 && (
            <EmptyState
              title={anyFilter ? 'No change matches these filters' : 'No changes recorded yet'}
              description={
                anyFilter
                  ? 'Change or clear the filters.'
                  : 'Changes to templates, stages, agents, channels, keys and settings appear here as they are made.'
              }
            />
          )
        }
        head={
          <>
            <TableCell padding="checkbox" />
            <TableCell>When</TableCell>
            <TableCell>Who</TableCell>
            <TableCell>What</TableCell>
            <TableCell>Entity</TableCell>
            <TableCell sx={{ display: { xs: 'none', md: 'table-cell' } }}>Changed</TableCell>
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
        {rows.map((entry) => {
          const expanded = open.has(entry.id);
          const link = entityLink(entry);
          const name = entityName(entry);
          return (
            <Fragment key={entry.id}>
              <TableRow hover sx={{ '& > td': { borderBottom: expanded ? 'none' : undefined } }}>
                <TableCell padding="checkbox">
                  <IconButton
                    size="small"
                    aria-label={`${expanded ? 'Hide' : 'Show'} changes of ${entityTypeLabel(entry.entity_type).toLowerCase()} ${name}`}
                    aria-expanded={expanded}
                    onClick={() => toggle(entry.id)}
                  >
                    {expanded ? <KeyboardArrowDownIcon /> : <KeyboardArrowRightIcon />}
                  </IconButton>
                </TableCell>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDateTime(entry.at)}</TableCell>
                <TableCell>
                  <Stack direction="row" spacing={0.75} sx={{ alignItems: 'center' }}>
                    {entry.actor.id ? (
                      <Link
                        component="button"
                        type="button"
                        onClick={() => update({ actor: entry.actor.id as string })}
                        title="Show only this actor’s changes"
                      >
                        {entry.actor.name}
                      </Link>
                    ) : (
                      <span>{entry.actor.name}</span>
                    )}
                    <Chip size="small" variant="outlined" label={ACTOR_TYPE_LABELS[entry.actor.type]} />
                  </Stack>
                </TableCell>
                <TableCell>{actionLabel(entry.action)}</TableCell>
                <TableCell>
                  <Typography variant="caption" color="text.secondary" component="div">
                    {entityTypeLabel(entry.entity_type)}
                  </Typography>
                  {link ? (
                    <Link component={RouterLink} to={link}>
                      {name}
                    </Link>
                  ) : (
                    name
                  )}
                </TableCell>
                <TableCell sx={{ display: { xs: 'none', md: 'table-cell' }, color: 'text.secondary' }}>
                  {changeSummary(entry)}
                </TableCell>
              </TableRow>
              <TableRow>
                <TableCell colSpan={6} sx={{ py: 0, ...(expanded ? {} : { borderBottom: 'none' }) }}>
                  <Collapse in={expanded} unmountOnExit>
                    <Box
                      role="region"
                      aria-label={`Changes of ${entityTypeLabel(entry.entity_type).toLowerCase()} ${name}`}
                    >
                      <AuditEntryDiff entry={entry} />
                    </Box>
                  </Collapse>
                </TableCell>
              </TableRow>
            </Fragment>
          );
        })}
      </ListView>
    </>
  );
}
