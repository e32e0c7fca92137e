import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeApi, makeConversation, makeLlmCall, makeMessage, makeTransition } from '@/test/fake-api';
import { renderRoutes, route } from '@/test/render';
import { ConversationPage } from './conversation-page';

const CONV = 'conv-1';

describe('conversation transcript', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    const greeting = api.addStage({ stage_name: 'Greeting' });
    const order = api.addStage({ stage_name: 'Order status' });
    api.conversations.push(
      makeConversation({
        conversation_id: CONV,
        user_id: 'user-1',
        user_name: 'Jane Doe',
        stage_id: order.stage_id,
        status: 'active',
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
    const call = (id: string, type: string, prompt: string, response: string) =>
      api.llmCalls.push(
        makeLlmCall({
          llm_call_id: id,
          conversation_id: CONV,
          message_id: 'm3',
          call_type: type,
          model: 'gpt-test',
          provider: 'openai',
          system_prompt: '',
          prompt,
          response,
          tokens_in: 120,
          tokens_out: 8,
          latency_ms: 412,
          cost_usd: 0.00021,
          status: 'success',
          error: null,
          created_at: `2026-03-12T14:00:03.${id.length}00Z`,
        }),
      );
    call(
      'c1',
      'stage_selection',
      'Stages: Greeting, Order status. Message: Where is order 12345?',
      'Order status',
    );
    call('c22', 'data_extraction', 'Extract facts from: Where is order 12345?', '{"order_number":"12345"}');
  });

  function open() {
    return renderRoutes(
      [route('/conversations/:conversationId', <ConversationPage />)],
      `/conversations/${CONV}`,
    );
  }

  it('shows each turn with its stage, extracted facts and expandable LLM calls', async () => {
    const user = userEvent.setup();
    open();
    const transcript = await screen.findByRole('list', { name: 'Transcript' });
    const items = within(transcript).getAllByRole('listitem');
    expect(items.map((li) => li.getAttribute('aria-label'))).toEqual([
      'Customer message',
      'Assistant message',
      'Customer message',
      'Assistant message',
    ]);
    const third = items[2] as HTMLElement;
    expect(within(third).getByText('Where is order 12345?')).toBeInTheDocument();
    expect(within(third).getByText('Stage: Order status')).toBeInTheDocument();
    expect(within(third).getByRole('group', { name: 'Extracted facts' })).toHaveTextContent(
      'order_number: 12345',
    );
    expect(within(items[0] as HTMLElement).getByText('Stage: Greeting')).toBeInTheDocument();

    const calls = within(third).getByRole('group', { name: 'LLM calls for message 3' });
    const selection = within(calls).getByRole('button', { name: /Stage selection/ });
    expect(selection).toHaveTextContent('412 ms');
    expect(selection).toHaveTextContent('120 → 8 tokens');
    expect(selection).toHaveAttribute('aria-expanded', 'false');
    expect(within(calls).queryByRole('region', { name: /Stage selection/ })).toBeNull();
    await user.click(selection);
    expect(selection).toHaveAttribute('aria-expanded', 'true');
    const details = within(calls).getByRole('region', { name: /Stage selection/ });
    expect(within(details).getByLabelText('Prompt')).toHaveTextContent('Stages: Greeting, Order status.');
    expect(within(details).getByLabelText('Answer')).toHaveTextContent('Order status');
    expect(within(details).getByText('openai · gpt-test')).toBeInTheDocument();

    // No calls are attached to messages that caused none.
    expect(within(items[0] as HTMLElement).queryByRole('group', { name: /LLM calls/ })).toBeNull();
  });

  it('shows the channel and each reply’s delivery: ticks when sent, delivered and read, the reason when failed', async () => {
    api.conversations[0] = {
      ...(api.conversations[0] as (typeof api.conversations)[number]),
      channel: 'whatsapp',
    };
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
        }),
      );
    reply('d1', 10, 'sent');
    reply('d2', 11, 'delivered');
    reply('d3', 12, 'read');
    reply('d4', 13, 'failed', '(#131047) Re-engagement message');
    open();
    const transcript = await screen.findByRole('list', { name: 'Transcript' });
    expect(await within(transcript).findByText('sent ✓')).toBeInTheDocument();
    expect(within(transcript).getByText('delivered ✓✓')).toBeInTheDocument();
    expect(within(transcript).getByText('read ✓✓')).toBeInTheDocument();
    expect(within(transcript).getByText('failed: (#131047) Re-engagement message')).toBeInTheDocument();
    expect(screen.getByTitle('Channel: WhatsApp')).toBeInTheDocument();
  });

  it('shows collected data and the stage history beside the transcript', async () => {
    open();
    const data = await screen.findByRole('table', { name: 'Collected data' });
    expect(within(data).getByRole('rowheader', { name: 'email' })).toBeInTheDocument();
    expect(data).toHaveTextContent('jane@example.com');
    expect(screen.getByRole('list', { name: 'Stage history' })).toHaveTextContent('Greeting → Order status');
  });

  it('stops and resumes the AI', async () => {
    const user = userEvent.setup();
    open();
    await user.click(await screen.findByRole('button', { name: 'Stop AI' }));
    expect(await screen.findByRole('button', { name: 'Resume AI' })).toBeInTheDocument();
    expect(api.find('POST', `/api/conversations/${CONV}/ai-control`)[0]?.body).toEqual({ action: 'stop' });
    expect(screen.getByText('AI stopped')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Resume AI' }));
    expect(await screen.findByRole('button', { name: 'Stop AI' })).toBeInTheDocument();
    expect(api.find('POST', `/api/conversations/${CONV}/ai-control`)[1]?.body).toEqual({ action: 'resume' });
  });

  it('sends a reply as a human agent and shows it in the transcript', async () => {
    const user = userEvent.setup();
    open();
    const input = await screen.findByLabelText('Agent reply');
    const send = screen.getByRole('button', { name: 'Send reply' });
    expect(send).toBeDisabled();
    await user.type(input, 'A colleague will call you today.');
    await user.click(send);
    await waitFor(() => expect(api.find('POST', `/api/conversations/${CONV}/agent-reply`)).toHaveLength(1));
    expect(api.find('POST', `/api/conversations/${CONV}/agent-reply`)[0]?.body).toEqual({
      content: 'A colleague will call you today.',
    });
    const agentMessage = await screen.findByRole('listitem', { name: 'Human agent message' });
    expect(agentMessage).toHaveTextContent('A colleague will call you today.');
    expect(input).toHaveValue('');
  });
});
