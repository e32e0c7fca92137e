import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { BUSINESS_ID, FakeApi } from '@/test/fake-api';
import { renderRoutes, route } from '@/test/render';
import { SimulatorPage } from './simulator-page';

const CONV = '22222222-2222-4222-8222-222222222222';
const USER = '33333333-3333-4333-8333-333333333333';

describe('simulator', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    const greeting = api.addStage({ stage_name: 'Greeting' });
    const order = api.addStage({ stage_name: 'Order status' });
    const step = {
      step: 'stage_selection',
      template_id: null,
      template_name: 'Routing',
      prompt: 'Which stage for: where is my order 42?',
      system_prompt: '',
      response: 'Order status',
      latency_ms: 120,
      skipped: false,
      engine: 'llm',
      tokens_in: 50,
      tokens_out: 3,
    };
    api.sseScript = [
      {
        event: 'stage',
        data: { stage_id: order.stage_id, stage_name: 'Order status', previous_stage_id: greeting.stage_id },
      },
      { event: 'extracted', data: { extracted_data: { order_number: '42' } } },
      { event: 'step', data: step },
      { event: 'token', data: { text: 'Order 42 ' } },
      { event: 'token', data: { text: 'ships today.' } },
      {
        event: 'done',
        data: {
          success: true,
          response: 'Order 42 ships today.',
          conversation_id: CONV,
          user_id: USER,
          message_id: 'm1',
          stage_id: order.stage_id,
          stage_name: 'Order status',
          previous_stage_id: greeting.stage_id,
          extracted_data: { order_number: '42' },
          fallback: false,
          processing_steps: [step],
        },
      },
    ];
  });

  it('streams the reply and shows the pipeline of the turn; the next message continues the conversation', async () => {
    const user = userEvent.setup();
    renderRoutes([route('/simulator', <SimulatorPage />)], '/simulator');
    await user.type(await screen.findByRole('textbox', { name: 'Message' }), 'Where is my order 42?');
    await user.click(screen.getByRole('button', { name: 'Send' }));

    const chat = screen.getByRole('log', { name: 'Chat' });
    expect(await within(chat).findByText('Order 42 ships today.')).toBeInTheDocument();
    const pipeline = screen.getByRole('region', { name: 'Pipeline' });
    const stage = within(pipeline).getByRole('group', { name: 'Stage chosen' });
    expect(stage).toHaveTextContent('Greeting→Order status');
    expect(within(pipeline).getByRole('group', { name: 'Extracted facts' })).toHaveTextContent(
      'order_number: 42',
    );
    await user.click(within(pipeline).getByRole('button', { name: /Stage selection/ }));
    expect(within(pipeline).getByLabelText('Prompt')).toHaveTextContent(
      'Which stage for: where is my order 42?',
    );

    const first = api.find('POST', '/api/message')[0];
    expect(first?.body).toEqual({
      business_id: BUSINESS_ID,
      content: 'Where is my order 42?',
      channel: 'simulator',
      configuration: 'draft',
    });

    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Thanks{Enter}');
    await waitFor(() => expect(api.find('POST', '/api/message')).toHaveLength(2));
    expect(api.find('POST', '/api/message')[1]?.body).toEqual({
      business_id: BUSINESS_ID,
      content: 'Thanks',
      channel: 'simulator',
      configuration: 'draft',
      user_id: USER,
      conversation_id: CONV,
    });

    await user.click(screen.getByRole('button', { name: 'New conversation' }));
    expect(within(chat).queryByText('Order 42 ships today.')).toBeNull();
    // The published set answers from now on (what customers get).
    await user.click(screen.getByRole('button', { name: 'Published' }));
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Hello again{Enter}');
    await waitFor(() => expect(api.find('POST', '/api/message')).toHaveLength(3));
    expect(api.find('POST', '/api/message')[2]?.body).toEqual({
      business_id: BUSINESS_ID,
      content: 'Hello again',
      channel: 'simulator',
      configuration: 'published',
    });
  });

  it('lets the keyboard pick a turn whose pipeline the panel shows; the log says who speaks', async () => {
    const user = userEvent.setup();
    renderRoutes([route('/simulator', <SimulatorPage />)], '/simulator');
    await user.type(await screen.findByRole('textbox', { name: 'Message' }), 'Where is my order 42?{Enter}');
    const chat = screen.getByRole('log', { name: 'Chat' });
    await within(chat).findByText('Order 42 ships today.');
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Thanks{Enter}');
    await waitFor(() => expect(within(chat).getAllByText('Order 42 ships today.')).toHaveLength(2));

    const turns = within(chat).getAllByRole('button');
    expect(turns).toHaveLength(2);
    expect(turns[0]).toHaveTextContent('You: Where is my order 42?Assistant: Order 42 ships today.');
    await waitFor(() => expect(turns[1]).toHaveAttribute('aria-pressed', 'true'));
    expect(turns[0]).toHaveAttribute('aria-pressed', 'false');
    (turns[0] as HTMLElement).focus();
    await user.keyboard('{Enter}');
    expect(turns[0]).toHaveAttribute('aria-pressed', 'true');
    expect(turns[1]).toHaveAttribute('aria-pressed', 'false');
    await user.keyboard('{Tab}');
    expect(turns[1]).toHaveFocus();
    await user.keyboard(' ');
    expect(turns[1]).toHaveAttribute('aria-pressed', 'true');
  });

  it('shows a readable error when the stream reports one', async () => {
    const user = userEvent.setup();
    api.sseScript = [
      { event: 'error', data: { error: { code: 'SERVICE_ERROR', message: 'The database is unavailable' } } },
    ];
    renderRoutes([route('/simulator', <SimulatorPage />)], '/simulator');
    await user.type(await screen.findByRole('textbox', { name: 'Message' }), 'Hi{Enter}');
    expect(await screen.findAllByText('The database is unavailable')).not.toHaveLength(0);
  });
});
