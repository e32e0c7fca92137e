import type { EventSourceLike } from '@/lib/live/live-events';

/** A stand-in for the browser's EventSource: tests push events into it, as the server would. */
export class FakeEventSource implements EventSourceLike {
  static instances: FakeEventSource[] = [];
  readyState = 0;
  onerror: ((e: Event) => void) | null = null;
  private listeners = new Map<string, ((e: MessageEvent) => void)[]>();

  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }

  static latest(): FakeEventSource {
    const s = FakeEventSource.instances[FakeEventSource.instances.length - 1];
    if (!s) throw new Error('No EventSource was opened');
    return s;
  }

  static reset() {
    FakeEventSource.instances = [];
  }

  addEventListener(type: string, listener: (e: MessageEvent) => void) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  /** The server sends `event: type`, `data: JSON`, `id: id`. */
  emit(type: string, data: unknown = {}, id = '') {
    this.readyState = 1;
    const e = new MessageEvent(type, { data: JSON.stringify(data), lastEventId: id });
    for (const l of this.listeners.get(type) ?? []) l(e);
  }

  /** The connection dropped; `closed`: the browser gave up (an error status), else it retries by itself. */
  fail(closed: boolean) {
    this.readyState = closed ? 2 : 0;
    this.onerror?.(new Event('error'));
  }

  close() {
    this.readyState = 2;
  }
}
