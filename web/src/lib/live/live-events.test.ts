import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ConversationEvent } from '@/lib/api/inbox-models';
import { FakeEventSource } from '@/test/fake-event-source';
import { connectLiveEvents } from './live-events';
import type { LiveStatus } from './live-store';

describe('the live event stream', () => {
  let events: ConversationEvent[];
  let statuses: LiveStatus[];
  let resyncs: number;
  let stop: () => void;
  beforeEach(() => {
    vi.useFakeTimers();
    FakeEventSource.reset();
    events = [];
    statuses = [];
    resyncs = 0;
    stop = connectLiveEvents({
      businessId: 'biz-1',
      onEvent: (e) => events.push(e),
      onResync: () => resyncs++,
      onStatus: (s) => statuses.push(s),
      open: (url) => new FakeEventSource(url),
      backoffMs: () => 1000,
    });
  });
  afterEach(() => {
    stop();
    vi.useRealTimers();
  });

  it('opens one stream for the business, goes live on `ready` and hands on typed events', () => {
    const es = FakeEventSource.latest();
    expect(es.url).toBe('/api/conversations/events?business_id=biz-1');
    expect(statuses).toEqual(['connecting']);
    es.emit('ready');
    expect(statuses.at(-1)).toBe('live');
    es.emit(
      'message',
      { business_id: 'biz-1', conversation_id: 'c1', message_id: 'm1', sender_type: 'user', channel: 'web' },
      '7',
    );
    es.emit(
      'assignment',
      { business_id: 'biz-1', conversation_id: 'c1', assignee_id: 'a', assignee_name: 'A' },
      '8',
    );
    expect(events.map((e) => e.type)).toEqual(['message', 'assignment']);
    expect(events[0]).toMatchObject({ conversation_id: 'c1', sender_type: 'user' });
    expect(resyncs).toBe(0);
  });

  it('while the browser retries by itself it says "reconnecting" and opens nothing else', () => {
    const es = FakeEventSource.latest();
    es.emit('ready');
    es.fail(false);
    expect(statuses.at(-1)).toBe('reconnecting');
    vi.advanceTimersByTime(60_000);
    expect(FakeEventSource.instances).toHaveLength(1);
    es.emit('ready');
    expect(statuses.at(-1)).toBe('live');
  });

  it('when the browser gives up, reopens after a backoff from the last event id; `resync` refetches', () => {
    const es = FakeEventSource.latest();
    es.emit('ready');
    es.emit('note', { business_id: 'biz-1', conversation_id: 'c1', note_id: 'n1' }, '41');
    es.fail(true);
    expect(FakeEventSource.instances).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    const again = FakeEventSource.latest();
    expect(again).not.toBe(es);
    expect(again.url).toBe('/api/conversations/events?business_id=biz-1&last_event_id=41');
    again.emit('ready');
    expect(resyncs).toBe(0);
    again.emit('resync');
    expect(resyncs).toBe(1);
  });

  it('back after a gap with nothing to resume from, it refetches everything', () => {
    const es = FakeEventSource.latest();
    es.emit('ready');
    es.fail(true);
    vi.advanceTimersByTime(1000);
    FakeEventSource.latest().emit('ready');
    expect(resyncs).toBe(1);
  });

  it('stops for good when asked', () => {
    const es = FakeEventSource.latest();
    stop();
    es.fail(true);
    vi.advanceTimersByTime(60_000);
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(es.readyState).toBe(2);
  });
});
