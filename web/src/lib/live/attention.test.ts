import { describe, expect, it } from 'vitest';
import { needsMe, newArrivals, unreadById, withBadge } from './attention';

const row = (id: string, over: Partial<Parameters<typeof needsMe>[0][number]> = {}) => ({
  conversation_id: id,
  status: 'active',
  waiting_since: '2026-03-12T14:00:00.000Z',
  assignee_id: null as string | null,
  unread_count: 1,
  ai_stopped: true,
  ...over,
});

describe('title badge', () => {
  it('counts waiting, open conversations the AI will not answer, mine or nobody’s, with unread messages', () => {
    const rows = [
      row('ai-answers', { ai_stopped: false }),
      row('unassigned'),
      row('mine', { assignee_id: 'me' }),
      row('theirs', { assignee_id: 'someone-else' }),
      row('read', { unread_count: 0 }),
      row('answered', { waiting_since: null }),
      row('closed', { status: 'closed' }),
    ];
    expect(needsMe(rows, 'me').map((r) => r.conversation_id)).toEqual(['unassigned', 'mine']);
    // An API key has no read marks and no "me": every unassigned waiting conversation.
    expect(needsMe(rows, null).map((r) => r.conversation_id)).toEqual(['unassigned', 'read']);
  });

  it('prefixes the count, replaces an old one, and drops it at zero', () => {
    expect(withBadge('Conversations · ICMP', 3)).toBe('(3) Conversations · ICMP');
    expect(withBadge('(3) Conversations · ICMP', 4)).toBe('(4) Conversations · ICMP');
    expect(withBadge('(4) Conversations · ICMP', 0)).toBe('Conversations · ICMP');
    expect(withBadge('ICMP', 0)).toBe('ICMP');
    expect(withBadge('ICMP', 250)).toBe('(99+) ICMP');
    expect(withBadge('(99+) ICMP', 2)).toBe('(2) ICMP');
  });

  it('announces what is new or has more unread messages, and nothing on the first look', () => {
    const first = [row('a'), row('b', { unread_count: 2 })];
    expect(newArrivals(null, first)).toEqual([]);
    const seen = unreadById(first);
    expect(newArrivals(seen, first)).toEqual([]);
    const next = [row('a', { unread_count: 2 }), row('b', { unread_count: 2 }), row('c')];
    expect(newArrivals(seen, next).map((r) => r.conversation_id)).toEqual(['a', 'c']);
  });
});
