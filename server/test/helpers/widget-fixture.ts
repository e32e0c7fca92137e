import type { App } from '../../src/app.js';
import { bearer, type CreatedBusiness } from './factories.js';

export const SHOP = 'https://shop.example';

export interface WebChannelSettings {
  enabled?: boolean;
  allowed_origins?: string[];
  title?: string;
  greeting?: string;
  color?: string;
}

/** Turns the business's web channel on (through the channels API) and answers its `web` object. */
export async function enableWebChannel(
  app: App,
  business: CreatedBusiness,
  settings: WebChannelSettings = {},
) {
  const response = await app.inject({
    method: 'PUT',
    url: `/api/businesses/${business.business_id}/channels/web`,
    headers: bearer(business.api_key),
    payload: {
      enabled: true,
      allowed_origins: [SHOP],
      title: 'Shop chat',
      greeting: 'Hi!',
      color: '#0a7d33',
      ...settings,
    },
  });
  if (response.statusCode !== 200)
    throw new Error(`enabling web failed: ${response.statusCode} ${response.body}`);
  return response.json() as { publishable_key: string; enabled: boolean; allowed_origins: string[] };
}

export function openSession(app: App, key: string, origin: string | null = SHOP, visitorToken?: string) {
  return app.inject({
    method: 'POST',
    url: '/api/widget/sessions',
    headers: origin ? { origin } : {},
    payload: visitorToken === undefined ? { key } : { key, visitor_token: visitorToken },
  });
}

/** A new visitor of a business with its web channel enabled for SHOP. */
export async function newVisitor(app: App, key: string, origin = SHOP) {
  const response = await openSession(app, key, origin);
  if (response.statusCode !== 200) throw new Error(`session failed: ${response.statusCode} ${response.body}`);
  return response.json() as { visitor_token: string; conversation_id: string | null };
}

export const visitorHeaders = (token: string, origin: string | null = SHOP) => ({
  ...bearer(token),
  ...(origin ? { origin } : {}),
});

export interface SseMessage {
  event: string;
  data: string;
  id: string;
}

/**
 * Opens an event stream over real HTTP and collects its events; `next(predicate)` waits for the first
 * event (already received or to come) that matches.
 */
export async function openEventStream(url: string, headers: Record<string, string>) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const events: SseMessage[] = [];
  let raw = '';
  const waiters: { predicate: (e: SseMessage) => boolean; resolve: (e: SseMessage) => void }[] = [];
  const reading = (async () => {
    if (!response.body || !response.ok) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        const text = decoder.decode(chunk as Uint8Array, { stream: true });
        raw += text;
        buffer += text;
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          const event: SseMessage = { event: 'message', data: '', id: '' };
          let hasData = false;
          for (const line of block.split('\n')) {
            const [field, ...rest] = line.split(':');
            const value = rest.join(':').replace(/^ /, '');
            if (field === 'event') event.event = value;
            else if (field === 'id') event.id = value;
            else if (field === 'data') {
              event.data = hasData ? `${event.data}\n${value}` : value;
              hasData = true;
            }
          }
          if (!hasData) continue;
          events.push(event);
          for (const waiter of [...waiters]) {
            if (waiter.predicate(event)) {
              waiters.splice(waiters.indexOf(waiter), 1);
              waiter.resolve(event);
            }
          }
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    response,
    events,
    /** Everything received, comments and `retry:` included. */
    raw: () => raw,
    /** Resolves when the server ends the stream (or close() aborts it). */
    ended: reading,
    next(predicate: (e: SseMessage) => boolean, timeoutMs = 15_000): Promise<SseMessage> {
      const found = events.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`)),
          timeoutMs,
        );
        waiters.push({
          predicate,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
      });
    },
    async close() {
      controller.abort();
      await reading;
    },
  };
}
