import { mountWidget } from './widget';

/**
 * A fake of the widget API (api.md "Web chat widget") at the fetch boundary: sessions, history,
 * a streamed reply, and a live stream the test pushes events into.
 */
function fakeServer() {
  const calls: { method: string; path: string; headers: Record<string, string>; body?: unknown }[] = [];
  const encoder = new TextEncoder();
  let live: ReadableStreamDefaultController<Uint8Array> | null = null;
  const history = [
    {
      message_id: 'm1',
      conversation_id: 'c1',
      sender_type: 'customer',
      content: 'Earlier question',
      created_at: '2026-01-01T00:00:00Z',
    },
    {
      message_id: 'm2',
      conversation_id: 'c1',
      sender_type: 'assistant',
      content: 'Earlier answer',
      created_at: '2026-01-01T00:00:01Z',
    },
  ];
  const sse = (events: [string, unknown][]) =>
    events.map(([event, data]) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join('');

  const fetchImpl = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>));
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    calls.push({ method: init.method ?? 'GET', path: url.pathname + url.search, headers, body });
    if (url.pathname === '/api/widget/sessions') {
      if (body.visitor_token === 'tampered')
        return Response.json({ error: { code: 'AUTHENTICATION_ERROR', message: 'bad' } }, { status: 401 });
      return Response.json({
        visitor_token: body.visitor_token ?? 'wvt_new',
        conversation_id: body.visitor_token ? 'c1' : null,
        title: 'Trattoria',
        greeting: 'Ciao!',
        color: '#0a7d33',
      });
    }
    if (url.pathname === '/api/widget/messages' && init.method === 'POST') {
      const stream = sse([
        ['token', { text: 'Hello ' }],
        ['token', { text: 'there' }],
        [
          'done',
          {
            success: true,
            response: 'Hello there',
            conversation_id: 'c1',
            message_id: 'm3',
            response_id: 'm4',
            ai_stopped: false,
          },
        ],
      ]);
      return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
    }
    if (url.pathname === '/api/widget/messages') return Response.json({ messages: history });
    if (url.pathname === '/api/widget/events') {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          live = controller;
          controller.enqueue(encoder.encode('event: ready\ndata: {}\n\n'));
        },
      });
      init.signal?.addEventListener('abort', () => live?.error(new DOMException('aborted', 'AbortError')));
      return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
    }
    return Response.json({ error: { code: 'NOT_FOUND', message: 'no' } }, { status: 404 });
  };
  return {
    calls,
    fetchImpl: fetchImpl as typeof fetch,
    push(event: string, data: unknown) {
      live?.enqueue(encoder.encode(sse([[event, data]])));
    },
    hasLive: () => live !== null,
  };
}

function memoryStorage(initial: Record<string, string> = {}) {
  const map = new Map(Object.entries(initial));
  const storage = {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  } as Storage;
  return { map, storage: () => storage };
}

const texts = (shadow: ShadowRoot) =>
  [...shadow.querySelectorAll('li.msg')].map((li) => (li.lastChild as HTMLElement).textContent);

afterEach(() => {
  document.body.innerHTML = '';
});

describe('widget', () => {
  it('starts a new visitor, stores the token under its namespaced key, and streams a reply', async () => {
    const server = fakeServer();
    const { map, storage } = memoryStorage();
    const widget = await mountWidget({
      apiOrigin: 'https://icmp.example',
      publishableKey: 'pk_abc',
      fetchImpl: server.fetchImpl,
      storage,
    });
    const shadow = widget.view.host.shadowRoot as ShadowRoot;
    expect(map.get('icmp-widget:pk_abc')).toBe('wvt_new');
    expect(server.calls[0]).toMatchObject({ path: '/api/widget/sessions', body: { key: 'pk_abc' } });
    expect(server.calls.some((c) => c.path.startsWith('/api/widget/messages'))).toBe(false); // no history yet
    expect(texts(shadow)).toEqual(['Ciao!']);

    widget.view.open();
    widget.view.elements.input.value = 'Hi';
    widget.view.elements.input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await vi.waitFor(() => expect(texts(shadow)).toEqual(['Ciao!', 'Hi', 'Hello there']));
    const post = server.calls.find((c) => c.method === 'POST' && c.path === '/api/widget/messages');
    expect(post?.headers).toMatchObject({ authorization: 'Bearer wvt_new', accept: 'text/event-stream' });
    await widget.stop();
  });

  it('resumes a stored visitor with history, shows pushed agent replies once, and typing', async () => {
    const server = fakeServer();
    const { storage } = memoryStorage({ 'icmp-widget:pk_abc': 'wvt_old' });
    const widget = await mountWidget({
      apiOrigin: 'https://icmp.example',
      publishableKey: 'pk_abc',
      fetchImpl: server.fetchImpl,
      storage,
    });
    const shadow = widget.view.host.shadowRoot as ShadowRoot;
    expect(texts(shadow)).toEqual(['Ciao!', 'Earlier question', 'Earlier answer']);
    await vi.waitFor(() => expect(server.hasLive()).toBe(true));
    const events = server.calls.find((c) => c.path === '/api/widget/events');
    expect(events?.headers).toMatchObject({ authorization: 'Bearer wvt_old', 'last-event-id': 'm2' });

    server.push('typing', { on: true });
    await vi.waitFor(() => expect(shadow.querySelector('.typing')?.textContent).toBe('Typing…'));
    const agent = {
      message_id: 'm9',
      conversation_id: 'c1',
      sender_type: 'agent',
      content: '<b>Marco</b> here',
      created_at: '2026-01-01T00:01:00Z',
    };
    server.push('message', agent);
    server.push('message', agent); // a catch-up after a reconnect may repeat it
    await vi.waitFor(() => expect(texts(shadow)).toContain('<b>Marco</b> here'));
    expect(texts(shadow).filter((t) => t === '<b>Marco</b> here')).toHaveLength(1);
    expect(widget.view.elements.launcher.getAttribute('aria-label')).toContain('1 new message');
    await widget.stop();
  });

  it('starts afresh when the stored token is refused', async () => {
    const server = fakeServer();
    const { map, storage } = memoryStorage({ 'icmp-widget:pk_abc': 'tampered' });
    const widget = await mountWidget({
      apiOrigin: 'https://icmp.example',
      publishableKey: 'pk_abc',
      fetchImpl: server.fetchImpl,
      storage,
    });
    expect(map.get('icmp-widget:pk_abc')).toBe('wvt_new');
    await widget.stop();
  });
});
