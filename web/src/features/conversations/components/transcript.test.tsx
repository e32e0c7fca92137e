import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  FakeApi,
  makeConversation,
  makeLlmCall,
  makeMessage,
  makeTransition,
  memberMe,
} from '@/test/fake-api';
import { renderRoutes } from '@/test/render';
import { InboxPage } from './inbox-page';

const CONV = 'conv-1';

describe('the open conversation', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    api.me = memberMe([{ role: 'agent' }], { id: 'acc-me', name: 'Sam Doe' });
    const greeting = api.addStage({ stage_name: 'Greeting' });
    const order = api.addStage({ stage_name: 'Order status' });
    api.conversations.push(
      makeConversation({
        conversation_id: CONV,
        user_id: 'user-1',
        user_name: 'Jane Doe',
        stage_id: order.stage_id,
        status: 'active',
        channel: 'whatsapp',
        start_time: '2026-03-12T14:00:00.000Z',
        last_updated: '2026-03-12T14:01:00.000Z',
        collected_data: { order_number: '12345', email: 'jane@example.com' },
      }),
    );
    const msg = (
      id: string,
      seq: number,
      sender: string,
      content: string,
      stage: string,
      extracted?: Record<string, unknown>,
    ) =>
      api.messages.push(
        makeMessage({
          message_id: id,
          conversation_id: CONV,
          sender_type: sender,
          message_content: content,
          sequence_number: seq,
          stage_id: stage,
          created_at: `2026-03-12T14:00:0${seq}.000Z`,
          extracted_data: extracted ?? null,
        }),
      );
    msg('m1', 1, 'user', 'Hi there', greeting.stage_id);
    msg('m2', 2, 'assistant', 'Hello! How can I help?', greeting.stage_id);
    msg('m3', 3, 'user', 'Where is order 12345?', order.stage_id, { order_number: '12345' });
    msg('m4', 4, 'assistant', 'Let me check order 12345.', order.stage_id);
    api.transitions.push(
      makeTransition({
        from_stage_id: greeting.stage_id,
        to_stage_id: order.stage_id,
        message_id: 'm3',
        created_at: '2026-03-12T14:00:03.000Z',
      }),
    );
    const call = (id: string, type: string, status: string, at: string) =>
      api.llmCalls.push(
        makeLlmCall({
          llm_call_id: id,
          conversation_id: CONV,
          message_id: 'm3',
          call_type: type,
          model: 'gpt-test',
          provider: 'openai',
          prompt: `Prompt of ${id}`,
          response: type === 'stage_selection' ? 'Order status' : '{}',
          tokens_in: 120,
          tokens_out: 8,
          latency_ms: 400,
          status,
          created_at: `2026-03-12T14:00:03.${at}Z`,
        }),
      );
    // Logged out of order, with a speculative extraction that the stage change discarded.
    call('c-resp', 'response_generation', 'success', '900');
    call('c-ext', 'data_extraction', 'success', '700');
    call('c-spec', 'data_extraction', 'discarded', '200');
    call('c-sel', 'stage_selection', 'success', '300');
  });

  const pane = () => screen.getByRole('region', { name: 'Conversation' });

  function open(path = `/conversations/${CONV}`) {
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

  it('reads as a chat, with a stage divider and one folded line of what the assistant did', async () => {
    const user = userEvent.setup();
    open();
    const log = await screen.findByRole('log', { name: 'Transcript' });
    expect(log).toHaveAttribute('aria-live', 'polite');
    const rows = within(log).getAllByRole('listitem');
    expect(rows.map((li) => li.getAttribute('aria-label'))).toEqual([
      'Customer message',
      'Assistant message',
      'Stage: Greeting → Order status',
      'Customer message',
      'Assistant message',
    ]);
    // Nothing of the pipeline shows until asked for: one line per turn.
    const lines = within(log).getAllByRole('button', { name: /What the assistant did/ });
    expect(lines).toHaveLength(1);
    const line = lines[0] as HTMLElement;
    expect(line).toHaveAttribute('aria-expanded', 'false');
    expect(line).toHaveTextContent(
      'Stage Order status · 1 fact · stage selection, data extraction, response generation · 1.20 s',
    );
    expect(within(log).queryByRole('button', { name: /Stage selection/ })).toBeNull();

    await user.click(line);
    const region = within(log).getByRole('region', { name: 'What the assistant did for message 3' });
    expect(within(region).getByRole('group', { name: 'Extracted facts' })).toHaveTextContent(
      'order_number: 12345',
    );
    const steps = within(region)
      .getAllByRole('button', { name: /Stage selection|Data extraction|Response generation/ })
      .map((b) => b.textContent?.split(/\d/)[0]);
    expect(steps).toEqual(['Stage selection', 'Data extraction', 'Response generation']);
    expect(within(region).queryByText('discarded')).toBeNull();
    await user.click(within(region).getByRole('button', { name: 'Show 1 discarded call' }));
    expect(within(region).getByText('discarded')).toBeInTheDocument();
  });

  it('shows each reply’s delivery: ticks when sent, delivered and read, the reason when failed', async () => {
    const reply = (id: string, seq: number, delivery_status: string, delivery_error: string | null = null) =>
      api.messages.push(
        makeMessage({
          message_id: id,
          conversation_id: CONV,
          sender_type: 'agent',
          message_content: `Agent reply ${seq}`,
          sequence_number: seq,
          channel: 'whatsapp',
          status: delivery_status,
          delivery_status,
          delivery_error,
          created_at: `2026-03-12T14:00:${seq}.000Z`,
        }),
      );
    reply('d1', 10, 'sent');
    reply('d2', 11, 'delivered');
    reply('d3', 12, 'read');
    reply('d4', 13, 'failed', '(#131047) Re-engagement message');
    open();
    const log = await screen.findByRole('log', { name: 'Transcript' });
    expect(await within(log).findByText('sent ✓')).toBeInTheDocument();
    expect(within(log).getByText('delivered ✓✓')).toBeInTheDocument();
    expect(within(log).getByText('read ✓✓')).toBeInTheDocument();
    expect(within(log).getByText('failed: (#131047) Re-engagement message')).toBeInTheDocument();
  });

  it('places notes by time, and says when a customer waits for a reply the AI did not give', async () => {
    api.notes.push({
      note_id: 'n1',
      conversation_id: CONV,
      content: 'VIP customer, be quick',
      author_id: 'acc-2',
      author_name: 'Alex',
      created_at: '2026-03-12T14:00:02.500Z',
    });
    api.messages.push(
      makeMessage({
        message_id: 'm5',
        conversation_id: CONV,
        sender_type: 'user',
        message_content: 'Hello?',
        sequence_number: 5,
        status: 'skipped',
        created_at: '2026-03-12T14:00:05.000Z',
      }),
    );
    const c = api.conversations[0] as (typeof api.conversations)[number];
    c.waiting_since = '2026-03-12T14:00:05.000Z';
    c.ai_stopped = true;
    open();
    const log = await screen.findByRole('log', { name: 'Transcript' });
    const labels = within(log)
      .getAllByRole('listitem')
      .map((li) => li.getAttribute('aria-label'));
    expect(labels.indexOf('Internal note')).toBe(2);
    expect(within(log).getByRole('listitem', { name: 'Internal note' })).toHaveTextContent(
      /Internal note · Alex.*VIP customer, be quick/,
    );
    expect(within(log).getByText('The AI was paused: not answered automatically.')).toBeInTheDocument();
    expect(within(log).getByLabelText(/^Waiting for a reply since/)).toBeInTheDocument();
    expect(within(pane()).getByText('AI paused')).toBeInTheDocument();
  });

  it('shows the customer: identity, collected data (editable), stage history and other conversations', async () => {
    const user = userEvent.setup();
    api.customers.set('user-1', {
      user_id: 'user-1',
      name: 'Jane Doe',
      first_name: 'Jane',
      last_name: 'Doe',
      email: null,
      phone: '+351912345678',
      whatsapp_id: '351912345678',
      messenger_psid: null,
    });
    api.conversations.push(
      makeConversation({
        conversation_id: 'conv-old',
        user_id: 'user-1',
        user_name: 'Jane Doe',
        status: 'closed',
        start_time: '2026-01-02T10:00:00.000Z',
      }),
    );
    // A stage deleted since: its id stays on the transition, its name is null.
    api.transitions.push(
      makeTransition({ from_stage_id: 'stage-deleted', to_stage_id: 'stage-deleted-too' }),
      makeTransition({ from_stage_id: null, to_stage_id: 'stage-deleted', reason: 'rule:details collected' }),
    );
    open();
    // jsdom is not wide: the customer panel opens from the header.
    await user.click(await screen.findByRole('button', { name: 'Customer' }));
    const panel = await screen.findByRole('region', { name: 'Customer' });
    expect(within(panel).getByText('351912345678')).toBeInTheDocument();
    const history = within(panel).getByRole('list', { name: 'Stage history' });
    expect(history).toHaveTextContent('Greeting → Order status');
    expect(history).toHaveTextContent('deleted stage → deleted stage');
    expect(history).toHaveTextContent('start → deleted stage');
    expect(history).toHaveTextContent('rule: details collected');
    expect(await within(panel).findByRole('list', { name: 'Previous conversations' })).toHaveTextContent(
      'closed · 0 messages',
    );

    const data = within(panel).getByRole('table', { name: 'Collected data' });
    expect(data).toHaveTextContent('jane@example.com');
    await user.click(within(data).getByRole('button', { name: 'Edit email' }));
    const input = within(data).getByRole('textbox', { name: 'email' });
    await user.clear(input);
    await user.type(input, 'jane@acme.test{Enter}');
    await waitFor(() =>
      expect(api.find('PATCH', `/api/conversations/${CONV}/collected-data`)[0]?.body).toEqual({
        data: { email: 'jane@acme.test' },
      }),
    );
    expect(await within(data).findByText('jane@acme.test')).toBeInTheDocument();
    await user.click(within(data).getByRole('button', { name: 'Remove order_number' }));
    await waitFor(() =>
      expect(api.find('PATCH', `/api/conversations/${CONV}/collected-data`)[1]?.body).toEqual({
        data: { order_number: null },
      }),
    );
  });

  it('takes over (assigned to me, AI paused), then gives back to the AI', async () => {
    const user = userEvent.setup();
    open();
    const bar = await screen.findByRole('toolbar', { name: 'Hand-off' });
    await user.click(within(bar).getByRole('button', { name: 'Take over' }));
    expect(await within(pane()).findByText('Assigned to me')).toBeInTheDocument();
    expect(within(pane()).getByText('AI paused')).toBeInTheDocument();
    expect(api.find('POST', `/api/conversations/${CONV}/take-over`)).toHaveLength(1);
    expect(within(bar).queryByRole('button', { name: 'Take over' })).toBeNull();

    await user.click(within(bar).getByRole('button', { name: 'Give back to AI' }));
    expect(await within(pane()).findByText('Unassigned')).toBeInTheDocument();
    expect(within(pane()).getByText('AI answering')).toBeInTheDocument();
  });

  it('assigns to a teammate from the members list (owners), and closes and reopens', async () => {
    const user = userEvent.setup();
    api.me = memberMe([{ role: 'owner' }], { id: 'acc-me', name: 'Sam Doe' });
    api.members.push({
      member_id: 'mem-2',
      account_id: 'acc-2',
      name: 'Alex Kim',
      email: 'alex@example.com',
      role: 'agent',
      created_at: '2026-01-01T00:00:00.000Z',
    });
    open();
    const bar = await screen.findByRole('toolbar', { name: 'Hand-off' });
    await user.click(within(bar).getByRole('button', { name: 'Assign to…' }));
    await user.click(await screen.findByRole('menuitem', { name: 'Alex Kim' }));
    expect(await within(pane()).findByText('Assigned to Alex Kim')).toBeInTheDocument();
    expect(api.find('PATCH', `/api/conversations/${CONV}`)[0]?.body).toEqual({ assignee_id: 'acc-2' });

    await user.click(within(bar).getByRole('button', { name: 'Close' }));
    expect(await within(bar).findByRole('button', { name: 'Reopen' })).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'Reply to the customer' })).toBeDisabled();
  });
});
