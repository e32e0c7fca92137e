import type { ApiClient } from './api-client';
import { WidgetApiError } from './api-client';
import { startLiveEvents } from './live-events';

type EventsFn = ApiClient['events'];

function fakeClient(script: ((lastId: string | null, emit: (id: string) => void) => Promise<void>)[]) {
  const seen: (string | null)[] = [];
  let call = 0;
  const events: EventsFn = async (lastId, onEvent) => {
    seen.push(lastId);
    const step = script[Math.min(call++, script.length - 1)] as (typeof script)[number];
    await step(lastId, (id) => onEvent({ event: 'message', data: '{}', id }));
  };
  return { client: { events } as ApiClient, seen };
}

describe('live events', () => {
  it('reconnects after drops with growing delays, resuming after the newest message', async () => {
    let newest: string | null = 'm1';
    const delays: number[] = [];
    const { client, seen } = fakeClient([
      async () => {
        throw new TypeError('network down');
      },
      async () => {
        throw new WidgetApiError(503, 'SERVICE_ERROR', 'down');
      },
      async (_id, emit) => {
        emit('m2');
        newest = 'm2';
      },
      () => new Promise(() => {}), // stays open
    ]);
    const live = startLiveEvents({
      client,
      lastMessageId: () => newest,
      onEvent: () => {},
      random: () => 1,
      sleep: async (ms) => void delays.push(ms),
    });
    await vi.waitFor(() => expect(seen).toHaveLength(4));
    expect(seen).toEqual(['m1', 'm1', 'm1', 'm2']);
    // 1 s, 2 s, then back to 1 s after a connection that delivered something
    expect(delays).toEqual([1000, 2000, 1000]);
    void live.stop();
  });

  it('gives up on 401/403/404: the token or channel is gone', async () => {
    const fatal = vi.fn();
    const { client, seen } = fakeClient([
      async () => {
        throw new WidgetApiError(401, 'AUTHENTICATION_ERROR', 'no');
      },
    ]);
    const live = startLiveEvents({ client, lastMessageId: () => null, onEvent: () => {}, onFatal: fatal });
    await vi.waitFor(() => expect(fatal).toHaveBeenCalledTimes(1));
    await live.stop();
    expect(seen).toHaveLength(1);
  });
});
