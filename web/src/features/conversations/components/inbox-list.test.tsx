import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeApi, makeConversation, memberMe } from '@/test/fake-api';
import { renderRoutes } from '@/test/render';
import { InboxPage } from './inbox-page';
import { inboxQuery, type ViewId, viewQuery } from './inbox-views';

describe('inbox views', () => {
  it('each tab is the contract’s query', () => {
    const cases: [ViewId, object][] = [
      ['mine', { assignee_id: 'me', status: 'active' }],
      ['unassigned', { assignee_id: 'none', status: 'active' }],
      ['waiting', { waiting: true, status: 'active' }],
      ['all', { status: 'active' }],
      ['closed', { status: 'closed' }],
    ];
    for (const [view, query] of cases) expect(viewQuery(view)).toEqual(query);
  });

  it('the filter bar adds to the view; its status overrides the view’s', () => {
    const params: Record<string, string> = {
      channel: 'whatsapp',
      status: 'any',
      q: ' refund ',
      data_key: 'email',
      data_value: 'a@b.c',
      stage_id: 'st-1',
    };
    expect(inboxQuery('mine', (k) => params[k] ?? '')).toEqual({
      assignee_id: 'me',
      per_page: 50,
      channel: 'whatsapp',
      q: 'refund',
      stage_id: 'st-1',
      data: { email: 'a@b.c' },
    });
    expect(inboxQuery('all', (k) => ({ status: 'closed', channel: 'fax' })[k as 'status'] ?? '')).toEqual({
      status: 'closed',
      per_page: 50,
    });
  });
});

describe('the conversation list', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    api.me = memberMe([{ role: 'agent' }], { id: 'acc-me', name: 'Sam Doe' });
    const recent = new Date(Date.now() - 5 * 60_000).toISOString();
    api.conversations.push(
      makeConversation({
        conversation_id: 'c-old',
        user_id: 'u-1',
        user_name: 'Old Customer',
        channel: 'web',
        last_updated: '2026-01-01T10:00:00.000Z',
      }),
      makeConversation({
        conversation_id: 'c-new',
        user_id: 'u-2',
        user_name: 'WhatsApp +351912345678',
        channel: 'whatsapp',
        last_updated: recent,
        waiting_since: recent,
        unread_count: 2,
        ai_stopped: true,
        assignee_id: 'acc-me',
        assignee_name: 'Sam Doe',
        last_message: { message_content: 'Anyone there?', sender_type: 'user', created_at: recent },
      }),
      makeConversation({
        conversation_id: 'c-sim',
        user_id: 'u-3',
        user_name: 'Simulator',
        channel: 'simulator',
      }),
    );
  });

  function open(path = '/conversations') {
    return renderRoutes(
      [
        {
          path: '/conversations',
          element: <InboxPage />,
          children: [{ path: ':conversationId', element: null }],
        },
      ],
      path,
    );
  }

  it('lists by last activity with channel, name, unread count, waiting, AI paused and assignee; no simulator chats', async () => {
    open();
    const list = await screen.findByRole('list', { name: 'Conversations' });
    const rows = within(list).getAllByRole('link');
    expect(rows).toHaveLength(2);
    const first = rows[0] as HTMLElement;
    expect(within(first).getByText('WhatsApp +351912345678')).toBeInTheDocument();
    expect(within(first).getByTitle('WhatsApp')).toBeInTheDocument();
    expect(within(first).getByLabelText('2 unread')).toBeInTheDocument();
    expect(within(first).getByText('Waiting 5m')).toBeInTheDocument();
    expect(within(first).getByText('AI paused')).toBeInTheDocument();
    expect(within(first).getByText('Me')).toBeInTheDocument();
    expect(within(first).getByText('Anyone there?')).toBeInTheDocument();
    expect(within(rows[1] as HTMLElement).getByTitle('Website')).toBeInTheDocument();
    expect(screen.queryByText('Simulator')).toBeNull();
    expect(screen.getByRole('heading', { level: 1, name: 'Conversations' })).toBeInTheDocument();
  });

  it('the tabs ask the server for their view and keep it in the URL; opening a row keeps the view', async () => {
    const user = userEvent.setup();
    const { router } = open();
    await screen.findByRole('list', { name: 'Conversations' });
    expect(screen.getByRole('tab', { name: 'All' })).toHaveAttribute('aria-selected', 'true');
    expect(api.find('GET', '/api/conversations').at(-1)?.query.get('status')).toBe('active');

    await user.click(screen.getByRole('tab', { name: 'Mine' }));
    await waitFor(() =>
      expect(api.find('GET', '/api/conversations').at(-1)?.query.get('assignee_id')).toBe('me'),
    );
    expect(router.state.location.search).toBe('?view=mine');
    expect(
      within(await screen.findByRole('list', { name: 'Conversations' })).getAllByRole('link'),
    ).toHaveLength(1);

    await user.click(screen.getByRole('tab', { name: 'Waiting' }));
    await waitFor(() =>
      expect(api.find('GET', '/api/conversations').at(-1)?.query.get('waiting')).toBe('true'),
    );
    await user.click(screen.getByRole('tab', { name: 'Unassigned' }));
    await waitFor(() =>
      expect(api.find('GET', '/api/conversations').at(-1)?.query.get('assignee_id')).toBe('none'),
    );
    await user.click(screen.getByRole('tab', { name: 'Closed' }));
    await waitFor(() =>
      expect(api.find('GET', '/api/conversations').at(-1)?.query.get('status')).toBe('closed'),
    );
    expect(await screen.findByText('No closed conversations.')).toBeInTheDocument();

    await user.click(screen.getByRole('tab', { name: 'Mine' }));
    await user.click(await screen.findByRole('link', { name: /WhatsApp \+351912345678/ }));
    expect(router.state.location.pathname).toBe('/conversations/c-new');
    expect(router.state.location.search).toBe('?view=mine');
    // The list stays beside the open conversation, the row marked current.
    expect(await screen.findByRole('log', { name: 'Transcript' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /WhatsApp \+351912345678/ })).toHaveAttribute(
      'aria-current',
      'page',
    );
    // Opening it marks it read: the unread count goes.
    await waitFor(() => expect(api.find('POST', '/api/conversations/c-new/read')).toHaveLength(1));
    await waitFor(() => expect(screen.queryByLabelText('2 unread')).toBeNull());
  });

  it('filters by channel, search and collected data from the compact filter bar', async () => {
    const user = userEvent.setup();
    open();
    await screen.findByRole('list', { name: 'Conversations' });
    await user.type(screen.getByRole('searchbox', { name: 'Search messages' }), 'refund{Enter}');
    await waitFor(() => expect(api.find('GET', '/api/conversations').at(-1)?.query.get('q')).toBe('refund'));
    await user.click(screen.getByRole('button', { name: 'Filters' }));
    const bar = screen.getByRole('group', { name: 'Conversation filters' });
    await user.click(within(bar).getByRole('combobox', { name: 'Channel' }));
    await user.click(await screen.findByRole('option', { name: 'WhatsApp' }));
    await waitFor(() =>
      expect(api.find('GET', '/api/conversations').at(-1)?.query.get('channel')).toBe('whatsapp'),
    );
    await user.type(within(bar).getByRole('textbox', { name: 'Data key' }), 'email');
    await user.type(within(bar).getByRole('textbox', { name: 'Value' }), 'a@b.c{Enter}');
    await waitFor(() =>
      expect(api.find('GET', '/api/conversations').at(-1)?.query.get('data.email')).toBe('a@b.c'),
    );
    expect(screen.getByRole('button', { name: 'Filters (2 on)' })).toBeInTheDocument();
  });

  it('shows chosen fields on the rows and links the CSV export of the same filters', async () => {
    const user = userEvent.setup();
    api.fields = [
      { name: 'email', label: 'E-mail', type: 'email', description: '', pii: true },
      { name: 'age', label: 'Age', type: 'number', description: '', pii: false },
    ];
    const newest = api.conversations.find((c) => c.conversation_id === 'c-new');
    if (newest) newest.collected_data = { email: 'a***@e***.com', age: 31 };
    open('/conversations?channel=whatsapp');
    await screen.findByRole('list', { name: 'Conversations' });
    // A filter in the URL opens the filter bar.
    const bar = screen.getByRole('group', { name: 'Conversation filters' });
    const link = within(bar).getByRole('link', { name: 'Export CSV' });
    expect(link).toHaveAttribute('download');
    const url = new URL(link.getAttribute('href') as string, 'http://localhost');
    expect(url.pathname).toBe('/api/conversations/export');
    expect(url.searchParams.get('channel')).toBe('whatsapp');
    expect(url.searchParams.get('status')).toBe('active');
    expect(url.searchParams.get('per_page')).toBeNull();

    await user.click(within(bar).getByRole('combobox', { name: 'Field columns' }));
    await user.click(await screen.findByRole('option', { name: 'E-mail' }));
    await user.click(await screen.findByRole('option', { name: 'Age' }));
    await user.keyboard('{Escape}');
    const row = within(screen.getByRole('list', { name: 'Conversations' })).getAllByRole(
      'link',
    )[0] as HTMLElement;
    expect(await within(row).findByText('E-mail: a***@e***.com · Age: 31')).toBeInTheDocument();
    await waitFor(() =>
      expect(
        new URL(
          within(bar).getByRole('link', { name: 'Export CSV' }).getAttribute('href') as string,
          'http://localhost',
        ).searchParams.get('columns'),
      ).toBe('email,age'),
    );
  });
});
