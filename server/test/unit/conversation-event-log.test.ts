import { describe, expect, it } from 'vitest';
import { ConversationEventLog } from '../../src/modules/conversations/conversation-event-log.js';
import type { ConversationEvent } from '../../src/modules/conversations/conversation-events.js';

const event = (businessId: string, n: number): ConversationEvent => ({
  type: 'note',
  business_id: businessId,
  conversation_id: 'c',
  note_id: String(n),
});
const notes = (replay: ReturnType<ConversationEventLog['since']>) =>
  replay.kind === 'replay' ? replay.events.map((e) => (e.event as { note_id: string }).note_id) : 'resync';

describe('ConversationEventLog', () => {
  it("replays the business's events after an id, in order, and nothing of other businesses", () => {
    const log = new ConversationEventLog(100);
    const start = log.headId;
    const ids = [1, 2, 3, 4].map((n) => log.append(event(n % 2 ? 'a' : 'b', n)).id);
    expect(notes(log.since(start, 'a'))).toEqual(['1', '3']);
    expect(notes(log.since(ids[0] as string, 'a'))).toEqual(['3']);
    expect(notes(log.since(ids[0] as string, 'b'))).toEqual(['2', '4']);
    expect(notes(log.since(log.headId, 'a'))).toEqual([]);
  });

  it('asks for a resync for an id it cannot continue: garbled, another epoch, from the future, dropped', () => {
    const log = new ConversationEventLog(8);
    const first = log.append(event('a', 0)).id;
    expect(log.since('garbled', 'a').kind).toBe('resync');
    expect(log.since(`00000000-1`, 'a').kind).toBe(log.epoch === '00000000' ? 'replay' : 'resync');
    expect(log.since(`${log.epoch}-999`, 'a').kind).toBe('resync');
    for (let n = 1; n <= 20; n += 1) log.append(event('a', n));
    // Event 1 (right after `first`) has been dropped to keep the log bounded.
    expect(log.since(first, 'a').kind).toBe('resync');
    const recent = `${log.epoch}-${20 - 3}`;
    expect(notes(log.since(recent, 'a'))).toEqual(['17', '18', '19', '20']);
  });

  it('after a bus gap, only ids from after it can be continued', () => {
    const log = new ConversationEventLog(100);
    const before = log.append(event('a', 1)).id;
    log.forget();
    const gapHead = log.headId;
    log.append(event('a', 2));
    expect(log.since(before, 'a').kind).toBe('resync');
    expect(notes(log.since(gapHead, 'a'))).toEqual(['2']);
  });
});
