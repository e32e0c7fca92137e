import type { ConversationFilters } from '@/lib/api/conversations/list-conversations';
import type { ConversationChannel } from '@/lib/api/inbox-models';

/** The inbox's tabs (inbox contract, "List"): each is a set of list query parameters. */
export const VIEWS = [
  { id: 'mine', label: 'Mine' },
  { id: 'unassigned', label: 'Unassigned' },
  { id: 'waiting', label: 'Waiting' },
  { id: 'all', label: 'All' },
  { id: 'closed', label: 'Closed' },
] as const;

export type ViewId = (typeof VIEWS)[number]['id'];

export const DEFAULT_VIEW: ViewId = 'all';

export function parseView(value: string | null | undefined): ViewId {
  return VIEWS.some((v) => v.id === value) ? (value as ViewId) : DEFAULT_VIEW;
}

/** Mine = assignee me; Unassigned = assignee none; Waiting = waiting; All = open; Closed = closed. */
export function viewQuery(view: ViewId): ConversationFilters {
  switch (view) {
    case 'mine':
      return { assignee_id: 'me', status: 'active' };
    case 'unassigned':
      return { assignee_id: 'none', status: 'active' };
    case 'waiting':
      return { waiting: true, status: 'active' };
    case 'all':
      return { status: 'active' };
    case 'closed':
      return { status: 'closed' };
  }
}

/** The filter bar's URL parameters (besides `view`). */
export const FILTER_KEYS = [
  'channel',
  'stage_id',
  'status',
  'q',
  'from',
  'to',
  'data_key',
  'data_value',
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export const CHANNELS: { value: ConversationChannel; label: string }[] = [
  { value: 'whatsapp', label: 'WhatsApp' },
  { value: 'messenger', label: 'Messenger' },
  { value: 'web', label: 'Website' },
  { value: 'api', label: 'API' },
  // Hidden from every view unless asked for here.
  { value: 'simulator', label: 'Simulator (test chats)' },
];

/** Dates from `<input type="date">` become the start / end of that day in local time, as ISO. */
export function dayBound(value: string, end: boolean): string | undefined {
  if (!value) return undefined;
  const d = new Date(`${value}T${end ? '23:59:59.999' : '00:00:00'}`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/**
 * The list query for a view and the filter bar: the view's parameters, then the filters. `status`
 * overrides the view's (`any`: both open and closed).
 */
export function inboxQuery(view: ViewId, get: (key: FilterKey) => string, perPage = 50): ConversationFilters {
  const q: ConversationFilters = { ...viewQuery(view), per_page: perPage };
  const status = get('status');
  if (status === 'any') delete q.status;
  else if (status === 'active' || status === 'closed') q.status = status;
  const channel = get('channel');
  if (CHANNELS.some((c) => c.value === channel)) q.channel = channel as ConversationChannel;
  if (get('stage_id')) q.stage_id = get('stage_id');
  if (get('q').trim()) q.q = get('q').trim();
  const from = dayBound(get('from'), false);
  const to = dayBound(get('to'), true);
  if (from) q.from = from;
  if (to) q.to = to;
  const key = get('data_key').trim();
  if (key) q.data = { [key]: get('data_value') };
  return q;
}
