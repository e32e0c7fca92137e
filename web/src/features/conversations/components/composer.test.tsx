import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeApi, makeConversation, memberMe } from '@/test/fake-api';
import { renderRoutes } from '@/test/render';
import { InboxPage } from './inbox-page';

const CONV = 'conv-1';

describe('the composer', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    api.me = memberMe([{ role: 'agent' }], { id: 'acc-me', name: 'Sam Doe' });
    api.conversations.push(
      makeConversation({
        conversation_id: CONV,
        user_id: 'user-1',
        user_name: 'Jane Doe',
        collected_data: { order: 'A-7' },
      }),
    );
    api.addCannedReply('hours', 'We are open 9 to 5, {{user_name}}.');
    api.addCannedReply('hold', 'One moment please.');
    api.addCannedReply('order', 'Your order {{order}} is on its way.');
  });

  async function openComposer() {
    renderRoutes(
      [
        {
          path: '/conversations',
          element: <InboxPage />,
          children: [{ path: ':conversationId', element: null }],
        },
      ],
      `/conversations/${CONV}`,
    );
    return (await screen.findByRole('textbox', { name: 'Reply to the customer' })) as HTMLTextAreaElement;
  }

  it('"/" opens the canned replies, filtered as you type; arrows and Enter pick one, rendered for this customer', async () => {
    const user = userEvent.setup();
    const box = await openComposer();
    await user.type(box, '/');
    const list = await screen.findByRole('listbox', { name: 'Canned replies' });
    expect(
      within(list)
        .getAllByRole('option')
        .map((o) => o.textContent?.match(/^\/[a-z0-9_-]+/)?.[0]),
    ).toEqual(['/hold', '/hours', '/order']);
    expect(api.find('GET', '/api/canned-replies')[0]?.query.get('conversation_id')).toBe(CONV);

    await user.type(box, 'ho');
    const options = within(list).getAllByRole('option');
    expect(options.map((o) => o.textContent?.match(/^\/[a-z0-9_-]+/)?.[0])).toEqual(['/hold', '/hours']);
    expect(options[0]).toHaveAttribute('aria-selected', 'true');
    expect(box).toHaveAttribute('aria-activedescendant', options[0]?.id);
    await user.keyboard('{ArrowDown}');
    expect(within(list).getAllByRole('option')[1]).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('{ArrowDown}');
    expect(within(list).getAllByRole('option')[0]).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('{ArrowUp}{Enter}');
    expect(box).toHaveValue('We are open 9 to 5, Jane Doe.');
    expect(screen.queryByRole('listbox', { name: 'Canned replies' })).toBeNull();
    expect(api.find('POST', `/api/conversations/${CONV}/agent-reply`)).toHaveLength(0);

    // The next Enter sends it.
    await user.keyboard('{Enter}');
    await waitFor(() =>
      expect(api.find('POST', `/api/conversations/${CONV}/agent-reply`)[0]?.body).toEqual({
        content: 'We are open 9 to 5, Jane Doe.',
      }),
    );
    await waitFor(() => expect(box).toHaveValue(''));
    expect(await screen.findByRole('listitem', { name: 'Human agent message' })).toHaveTextContent(
      'We are open 9 to 5',
    );
  });

  it('inserts a shortcut typed mid-sentence in place, and a click picks too', async () => {
    const user = userEvent.setup();
    const box = await openComposer();
    await user.type(box, 'Hi! /ord');
    const list = await screen.findByRole('listbox', { name: 'Canned replies' });
    await user.click(within(list).getByRole('option', { name: /\/order/ }));
    expect(box).toHaveValue('Hi! Your order A-7 is on its way.');
  });

  it('Shift+Enter adds a line; Enter sends; Esc closes the list first, then leaves the box', async () => {
    const user = userEvent.setup();
    const box = await openComposer();
    await user.type(box, 'Line one{Shift>}{Enter}{/Shift}Line two');
    expect(box).toHaveValue('Line one\nLine two');
    expect(api.find('POST', `/api/conversations/${CONV}/agent-reply`)).toHaveLength(0);

    await user.type(box, ' /h');
    expect(await screen.findByRole('listbox', { name: 'Canned replies' })).toBeInTheDocument();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('listbox', { name: 'Canned replies' })).toBeNull();
    expect(box).toHaveFocus();
    expect(box).toHaveValue('Line one\nLine two /h');
    await user.keyboard('{Escape}');
    expect(box).not.toHaveFocus();

    await user.click(box);
    await user.keyboard('{Enter}');
    await waitFor(() =>
      expect(api.find('POST', `/api/conversations/${CONV}/agent-reply`)[0]?.body).toEqual({
        content: 'Line one\nLine two /h',
      }),
    );
  });

  it('an internal note is labelled as not sent, goes to the notes, and shows in the transcript', async () => {
    const user = userEvent.setup();
    await openComposer();
    await user.click(screen.getByRole('button', { name: 'Internal note' }));
    const box = screen.getByRole('textbox', { name: 'Internal note — not sent' });
    await user.type(box, 'Customer called too{Enter}');
    await waitFor(() =>
      expect(api.find('POST', `/api/conversations/${CONV}/notes`)[0]?.body).toEqual({
        content: 'Customer called too',
      }),
    );
    expect(api.find('POST', `/api/conversations/${CONV}/agent-reply`)).toHaveLength(0);
    const log = screen.getByRole('log', { name: 'Transcript' });
    expect(await within(log).findByRole('listitem', { name: 'Internal note' })).toHaveTextContent(
      'Customer called too',
    );
  });

  it('a closed conversation takes notes but no reply', async () => {
    const user = userEvent.setup();
    (api.conversations[0] as (typeof api.conversations)[number]).status = 'closed';
    const box = await openComposer();
    expect(box).toBeDisabled();
    expect(screen.getByText('This conversation is closed: reopen it to reply.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Internal note' }));
    expect(screen.getByRole('textbox', { name: 'Internal note — not sent' })).toBeEnabled();
  });
});
