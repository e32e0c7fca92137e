import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeApi, makeConversation, makeMessage, memberMe } from '@/test/fake-api';
import { renderRoutes } from '@/test/render';
import { InboxPage } from './inbox-page';

/** A 390 px phone: `(max-width:768px)` matches. */
function phone() {
  vi.stubGlobal('matchMedia', (query: string) => ({
    matches: /max-width:\s*768px/.test(query),
    media: query,
    onchange: null,
    addListener: () => {},
    removeListener: () => {},
    addEventListener: () => {},
    removeEventListener: () => {},
    dispatchEvent: () => false,
  }));
}

describe('the inbox on a phone', () => {
  let api: FakeApi;
  beforeEach(() => {
    phone();
    api = new FakeApi().install();
    api.me = memberMe([{ role: 'agent' }], { id: 'acc-me', name: 'Sam Doe' });
    api.conversations.push(
      makeConversation({
        conversation_id: 'c1',
        user_id: 'u1',
        user_name: 'Jane Doe',
        collected_data: { email: 'jane@example.com' },
      }),
    );
    api.messages.push(
      makeMessage({ message_id: 'm1', conversation_id: 'c1', sender_type: 'user', message_content: 'Hi' }),
    );
  });

  it('shows one pane at a time: list → conversation → customer, with back buttons', async () => {
    const user = userEvent.setup();
    const { router } = renderRoutes(
      [
        {
          path: '/conversations',
          element: <InboxPage />,
          children: [{ path: ':conversationId', element: null }],
        },
      ],
      '/conversations?view=all',
    );
    await user.click(await screen.findByRole('link', { name: /Jane Doe/ }));
    // The conversation alone, named by its h1; the controls and the reply box are part of it.
    const heading = await screen.findByRole('heading', { level: 1, name: 'Jane Doe' });
    // The new page's name takes the focus, as on every other page.
    await waitFor(() => expect(heading).toHaveFocus());
    await waitFor(() => expect(document.title).toBe('Conversation with Jane Doe · Acme Bikes · ICMP'));
    expect(screen.queryByRole('list', { name: 'Conversations' })).toBeNull();
    expect(screen.getByRole('toolbar', { name: 'Hand-off' })).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Reply to the customer' })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Customer' }));
    const panel = await screen.findByRole('region', { name: 'Customer' });
    expect(within(panel).getByRole('heading', { level: 1, name: 'Jane Doe' })).toBeInTheDocument();
    expect(within(panel).getByRole('table', { name: 'Collected data' })).toHaveTextContent(
      'jane@example.com',
    );
    expect(screen.queryByRole('log', { name: 'Transcript' })).toBeNull();
    await user.click(within(panel).getByRole('button', { name: 'Back to the conversation' }));
    expect(await screen.findByRole('log', { name: 'Transcript' })).toBeInTheDocument();

    await user.click(screen.getByRole('link', { name: 'Back to conversations' }));
    expect(await screen.findByRole('list', { name: 'Conversations' })).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByRole('heading', { level: 1, name: 'Conversations' })).toHaveFocus(),
    );
    expect(router.state.location.pathname).toBe('/conversations');
    expect(router.state.location.search).toBe('?view=all');
    await waitFor(() => expect(document.title).toBe('Conversations · Acme Bikes · ICMP'));
  });
});
