import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveConnection } from '@/lib/live/live-connection';
import { FakeApi, makeConversation, makeMessage, memberMe } from '@/test/fake-api';
import { FakeEventSource } from '@/test/fake-event-source';
import { renderRoutes } from '@/test/render';
import { InboxPage } from './inbox-page';

const openStream = (url: string) => new FakeEventSource(url);

class FakeNotification {
  static permission: NotificationPermission = 'default';
  static shown: { title: string; options?: NotificationOptions }[] = [];
  static requestPermission = vi.fn(async () => {
    FakeNotification.permission = 'granted';
    return 'granted' as NotificationPermission;
  });
  onclick: (() => void) | null = null;
  constructor(title: string, options?: NotificationOptions) {
    FakeNotification.shown.push({ title, options });
  }
  close() {}
}

describe('the live inbox', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    api.me = memberMe([{ role: 'agent' }], { id: 'acc-me', name: 'Sam Doe' });
    api.conversations.push(
      makeConversation({
        conversation_id: 'c-old',
        user_id: 'u-1',
        user_name: 'Old Customer',
        last_updated: '2026-03-12T10:00:00.000Z',
      }),
    );
    FakeEventSource.reset();
    FakeNotification.permission = 'default';
    FakeNotification.shown = [];
    FakeNotification.requestPermission.mockClear();
    vi.stubGlobal('Notification', FakeNotification);
    document.title = 'ICMP';
  });
  afterEach(() => {
    document.title = 'ICMP';
  });

  function open(path = '/conversations') {
    return renderRoutes(
      [
        {
          path: '/conversations',
          element: (
            <>
              <LiveConnection open={openStream} />
              <InboxPage />
            </>
          ),
          children: [{ path: ':conversationId', element: null }],
        },
      ],
      path,
    );
  }

  const emit = (type: string, data: object, id = '') =>
    act(() => FakeEventSource.latest().emit(type, { business_id: api.business.business_id, ...data }, id));

  it('shows a new waiting conversation without reloading, badges the title, and notifies once allowed', async () => {
    const user = userEvent.setup();
    open();
    await screen.findByRole('link', { name: /Old Customer/ });
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(FakeEventSource.latest().url).toBe(
      `/api/conversations/events?business_id=${api.business.business_id}`,
    );
    expect(screen.getByText('Connecting…')).toBeInTheDocument();
    await emit('ready', {});
    expect(await screen.findByText('Live')).toBeInTheDocument();

    // Asked from the button, never on load.
    expect(FakeNotification.requestPermission).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Enable notifications' }));
    expect(FakeNotification.requestPermission).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('button', { name: 'Enable notifications' })).toBeNull();

    const at = new Date().toISOString();
    api.conversations.push(
      makeConversation({
        conversation_id: 'c-new',
        user_id: 'u-2',
        user_name: 'Ana Silva',
        channel: 'whatsapp',
        last_updated: at,
        waiting_since: at,
        // Handed off: the AI will not answer, a person must.
        ai_stopped: true,
        unread_count: 1,
        last_message: { message_content: 'I need a person', sender_type: 'user', created_at: at },
      }),
    );
    const before = api.find('GET', '/api/conversations').length;
    await emit(
      'message',
      { conversation_id: 'c-new', message_id: 'm9', sender_type: 'user', channel: 'whatsapp' },
      '1',
    );
    const list = screen.getByRole('list', { name: 'Conversations' });
    expect(await within(list).findByRole('link', { name: /Ana Silva/ })).toBeInTheDocument();
    expect(within(list).getAllByRole('link')[0]).toHaveTextContent('Ana Silva');
    await waitFor(() => expect(document.title).toBe('(1) Conversations · Acme Bikes · ICMP'));
    await waitFor(() =>
      expect(FakeNotification.shown).toEqual([
        { title: 'Ana Silva is waiting', options: { body: 'I need a person', tag: 'c-new' } },
      ]),
    );
    // One refetch per list for the burst, not one per event.
    expect(api.find('GET', '/api/conversations').length - before).toBeLessThanOrEqual(2);

    // A page that sets its own title keeps the badge in front.
    document.title = 'Inbox · ICMP';
    await waitFor(() => expect(document.title).toBe('(1) Inbox · ICMP'));

    // Someone takes it: no longer mine to answer.
    const c = api.conversations.find(
      (x) => x.conversation_id === 'c-new',
    ) as (typeof api.conversations)[number];
    c.assignee_id = 'acc-2';
    c.assignee_name = 'Alex';
    await emit('assignment', { conversation_id: 'c-new', assignee_id: 'acc-2', assignee_name: 'Alex' }, '2');
    await waitFor(() => expect(document.title).toBe('Inbox · ICMP'));
    expect(await within(list).findByTitle('Assigned to Alex')).toBeInTheDocument();
  });

  it('the open conversation follows the events: new messages, typing, notes; resync refetches', async () => {
    open('/conversations/c-old');
    const log = await screen.findByRole('log', { name: 'Transcript' });
    await emit('ready', {});
    await emit('typing', { conversation_id: 'c-old', on: true });
    expect(await screen.findByText('The assistant is writing…')).toBeInTheDocument();

    api.messages.push(
      makeMessage({
        message_id: 'm1',
        conversation_id: 'c-old',
        sender_type: 'assistant',
        message_content: 'Here you go',
        created_at: new Date().toISOString(),
      }),
    );
    await emit(
      'message',
      { conversation_id: 'c-old', message_id: 'm1', sender_type: 'assistant', channel: 'api' },
      '3',
    );
    expect(await within(log).findByText('Here you go')).toBeInTheDocument();
    expect(screen.queryByText('The assistant is writing…')).toBeNull();

    api.notes.push({
      note_id: 'n1',
      conversation_id: 'c-old',
      content: 'Checked the stock',
      author_id: 'acc-2',
      author_name: 'Alex',
      created_at: new Date().toISOString(),
    });
    await emit('note', { conversation_id: 'c-old', note_id: 'n1' }, '4');
    expect(await within(log).findByText('Checked the stock')).toBeInTheDocument();

    api.messages.push(
      makeMessage({
        message_id: 'm2',
        conversation_id: 'c-old',
        sender_type: 'user',
        message_content: 'Missed while away',
        sequence_number: 2,
        created_at: new Date().toISOString(),
      }),
    );
    await emit('resync', {});
    expect(await within(log).findByText('Missed while away')).toBeInTheDocument();
  });
});
