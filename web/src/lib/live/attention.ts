import type { InboxConversationSummary } from '@/lib/api/inbox-models';

type Row = Pick<
  InboxConversationSummary,
  'conversation_id' | 'status' | 'waiting_since' | 'assignee_id' | 'unread_count' | 'ai_stopped'
>;

/**
 * The conversations that need the signed-in person: open, waiting for a reply that the AI will not
 * give (it is paused: a hand-off or a take-over — while it answers, "waiting" lasts a few seconds and
 * is nobody's business), assigned to them or to nobody, with customer messages they have not read. An
 * API key has no read marks (its unread count is always 0) and no "me": for it, every unassigned one.
 */
export function needsMe<T extends Row>(rows: readonly T[], myAccountId: string | null): T[] {
  return rows.filter(
    (c) =>
      c.status === 'active' &&
      !!c.waiting_since &&
      c.ai_stopped &&
      (c.assignee_id === null || (myAccountId !== null && c.assignee_id === myAccountId)) &&
      (myAccountId === null || c.unread_count > 0),
  );
}

/** `(3) Conversations · ICMP`; no prefix at 0; an old prefix is replaced, never stacked. */
export function withBadge(title: string, count: number): string {
  const bare = title.replace(/^\(\d+\+?\) /, '');
  if (count <= 0) return bare;
  return `(${count > 99 ? '99+' : count}) ${bare}`;
}

/**
 * Which conversations just started needing me, or got more unread messages: they deserve a browser
 * notification. `previous` null: the first look, which announces nothing.
 */
export function newArrivals<T extends Row>(
  previous: ReadonlyMap<string, number> | null,
  current: readonly T[],
): T[] {
  if (!previous) return [];
  return current.filter((c) => {
    const before = previous.get(c.conversation_id);
    return before === undefined || c.unread_count > before;
  });
}

export function unreadById(rows: readonly Row[]): Map<string, number> {
  return new Map(rows.map((c) => [c.conversation_id, c.unread_count]));
}
