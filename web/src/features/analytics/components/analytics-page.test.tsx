import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { rangeStart } from '@/lib/api/analytics/get-analytics-overview';
import { apiError, BUSINESS_ID, FakeApi } from '@/test/fake-api';
import { renderRoutes, route } from '@/test/render';
import { AnalyticsPage } from './analytics-page';

/** The value shown on the KPI card labelled `label`. */
function kpi(label: string) {
  return within(screen.getByRole('group', { name: label }));
}

describe('analytics page', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    // jsdom has no ResizeObserver; Recharts' ResponsiveContainer only needs it to exist.
    vi.stubGlobal(
      'ResizeObserver',
      class {
        observe() {}
        unobserve() {}
        disconnect() {}
      },
    );
  });

  function open(path = '/analytics') {
    return renderRoutes(
      [route('/analytics', <AnalyticsPage />), route('/simulator', <p>Simulator page</p>)],
      path,
    );
  }

  it('shows the KPIs of the last 30 days by default', async () => {
    api.seedAnalytics();
    open();
    expect(await screen.findByRole('group', { name: 'Conversations' })).toHaveTextContent('12');
    expect(kpi('Conversations').getByText('10 new · 11 active')).toBeInTheDocument();
    expect(kpi('Messages').getByText('58')).toBeInTheDocument();
    expect(kpi('Users').getByText('11')).toBeInTheDocument();
    expect(kpi('Fallback replies').getByText('3')).toBeInTheDocument();
    expect(kpi('Fallback replies').getByText('11% of replies')).toBeInTheDocument();
    expect(kpi('LLM calls').getByText('81')).toBeInTheDocument();
    expect(kpi('Error rate').getByText('2.5%')).toBeInTheDocument();
    expect(kpi('Error rate').getByText('2 failed calls')).toBeInTheDocument();
    expect(kpi('Latency p50').getByText('612 ms')).toBeInTheDocument();
    expect(kpi('Latency p95').getByText('1.84 s')).toBeInTheDocument();
    expect(kpi('Tokens').getByText(/^54.330$/)).toBeInTheDocument();
    expect(kpi('Cost').getByText('$0.0873')).toBeInTheDocument();

    const [request] = api.find('GET', '/api/analytics/overview');
    expect(request?.query.get('business_id')).toBe(BUSINESS_ID);
    expect(request?.query.get('from')).toBe(rangeStart(30));
    expect(screen.getByRole('button', { name: 'Last 30 days' })).toHaveAttribute('aria-pressed', 'true');
  });

  it('lists every LLM step with calls, errors, latency, tokens and cost', async () => {
    api.seedAnalytics();
    open();
    const table = await screen.findByRole('table', { name: 'LLM calls per step' });
    const header = within(table)
      .getAllByRole('columnheader')
      .map((c) => c.textContent);
    expect(header).toEqual(['Step', 'Calls', 'Errors', 'p50', 'p95', 'Tokens in', 'Tokens out', 'Cost']);
    const row = (name: string) => within(table).getByRole('rowheader', { name }).closest('tr') as HTMLElement;
    const cells = (name: string) =>
      within(row(name))
        .getAllByRole('cell')
        .map((c) => c.textContent);
    expect(cells('Stage selection')).toEqual(['29', '0', '402 ms', '988 ms', '14,500', '290', '$0.0213']);
    expect(cells('Data extraction')).toEqual(['27', '1', '531 ms', '1.41 s', '12,410', '1,830', '$0.0198']);
    expect(cells('Response generation')).toEqual([
      '25',
      '1',
      '1.10 s',
      '2.21 s',
      '21,300',
      '4,000',
      '$0.0462',
    ]);
    expect(cells('All steps')).toEqual(['81', '2', '612 ms', '1.84 s', '48,210', '6,120', '$0.0873']);
  });

  it('gives every chart a label and its numbers as text', async () => {
    api.seedAnalytics();
    open();
    const perDay = await screen.findByRole('figure', {
      name: 'Conversations, messages and LLM errors per day',
    });
    expect(perDay).toHaveAccessibleDescription(/10 conversations started and 58 messages over 30 days/);
    const days = screen.getByRole('table', { name: 'Activity per day' });
    expect(within(days).getAllByRole('row')).toHaveLength(31); // header + 30 UTC days

    expect(
      screen.getByRole('figure', { name: 'Conversations entered and currently in each stage' }),
    ).toBeInTheDocument();
    const funnel = screen.getByRole('table', { name: 'Stage funnel' });
    const greeting = within(funnel).getByRole('rowheader', { name: 'Greeting' }).closest('tr') as HTMLElement;
    expect(
      within(greeting)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['12', '3', '0', '9']);

    const fills = screen.getByRole('list', { name: 'Extraction fill rates' });
    expect(within(fills).getByRole('progressbar', { name: 'email fill rate' })).toHaveAttribute(
      'aria-valuenow',
      '50',
    );
    expect(fills).toHaveTextContent('42% (5 conversations)');
  });

  it('shows per stage completion, time to complete, drop-off and the fields missing at drop-off', async () => {
    api.seedAnalytics();
    api.stageInsights = [
      {
        stage_id: '00000000-0000-4000-8000-00000000a001',
        stage_name: 'Booking',
        required_fields: ['email', 'visit_date'],
        entries: 8,
        completions: 6,
        completion_rate: 0.75,
        median_seconds_to_complete: 600,
        drop_offs: 2,
        drop_off_rate: 0.25,
        missing_fields: [{ name: 'visit_date', label: 'Visit date', conversations: 2 }],
      },
    ];
    open();
    const table = await screen.findByRole('table', { name: 'Stages' });
    const row = within(table).getByRole('rowheader', { name: 'Booking' }).closest('tr') as HTMLElement;
    expect(
      within(row)
        .getAllByRole('cell')
        .map((c) => c.textContent),
    ).toEqual(['8', '6 (75%)', '10 min', '2 (25%)', 'Visit date (2)']);
    expect(api.requests.some((r) => r.path === '/api/analytics/stages')).toBe(true);
  });

  it('asks again for the range chosen', async () => {
    const user = userEvent.setup();
    api.seedAnalytics();
    open();
    await screen.findByRole('group', { name: 'Conversations' });
    await user.click(screen.getByRole('button', { name: 'Last 7 days' }));
    await waitFor(() => expect(api.find('GET', '/api/analytics/overview')).toHaveLength(2));
    expect(api.find('GET', '/api/analytics/overview')[1]?.query.get('from')).toBe(rangeStart(7));
    expect(screen.getByRole('button', { name: 'Last 7 days' })).toHaveAttribute('aria-pressed', 'true');
    await waitFor(() =>
      expect(screen.getByRole('figure', { name: /per day/ })).toHaveAccessibleDescription(/over 7 days/),
    );
  });

  it('shows an empty state with a way to the Simulator when there is no traffic', async () => {
    const user = userEvent.setup();
    open();
    expect(await screen.findByText('No traffic in the last 30 days')).toBeInTheDocument();
    // Simulator chats are left out unless asked for.
    expect(api.find('GET', '/api/analytics/overview')[0]?.query.get('include_simulator')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Include simulator chats' }));
    expect(screen.getByRole('switch', { name: 'Include simulator chats' })).toBeChecked();
    await waitFor(() =>
      expect(api.find('GET', '/api/analytics/overview').at(-1)?.query.get('include_simulator')).toBe('true'),
    );
    expect(
      await screen.findByText('Send a message in the Simulator to see numbers here.'),
    ).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Open the Simulator' })).toHaveAttribute('href', '/simulator');
    expect(screen.queryByRole('table', { name: 'LLM calls per step' })).toBeNull();
  });

  it('shows the server error envelope', async () => {
    api.override('GET /api/analytics/overview', () =>
      apiError(400, 'VALIDATION_ERROR', 'The range may span at most 366 days', { from: 'too early' }),
    );
    open();
    expect(await screen.findByRole('alert')).toHaveTextContent('The range may span at most 366 days');
    expect(screen.getByRole('button', { name: 'Retry' })).toBeInTheDocument();
  });
});
