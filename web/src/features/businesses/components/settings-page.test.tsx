import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeApi } from '@/test/fake-api';
import { renderRoutes, route } from '@/test/render';
import { SettingsPage } from './settings-page';

describe('settings page', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
  });
  const open = () => renderRoutes([route('/settings', <SettingsPage />)], '/settings');

  it('sets the hand-off message, and clearing it sends an empty one (the server default)', async () => {
    const user = userEvent.setup();
    open();
    const field = await screen.findByRole('textbox', { name: 'Hand-off message' });
    await user.type(field, 'A colleague will answer here.');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(api.find('PATCH', /\/api\/businesses\/.+/)).toHaveLength(1));
    expect(api.find('PATCH', /\/api\/businesses\/.+/)[0]?.body).toEqual({
      settings: { handoff_message: 'A colleague will answer here.' },
    });
    await screen.findByRole('status');

    await user.clear(screen.getByRole('textbox', { name: 'Hand-off message' }));
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(api.find('PATCH', /\/api\/businesses\/.+/)).toHaveLength(2));
    expect(api.find('PATCH', /\/api\/businesses\/.+/)[1]?.body).toEqual({
      settings: { handoff_message: '' },
    });
  });

  it("shows this month's LLM spend against the budget, sets a budget and removes it", async () => {
    const user = userEvent.setup();
    api.llmSpentUsd = 1.5;
    open();
    expect(await screen.findByText(/No budget: the model answers/)).toBeInTheDocument();
    const budget = screen.getByRole('textbox', { name: 'Monthly budget' });

    await user.type(budget, 'ten');
    expect(screen.getByText('A number of dollars, 0 or more.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save budget' })).toBeDisabled();

    await user.clear(budget);
    await user.type(budget, '10');
    await user.click(screen.getByRole('button', { name: 'Save budget' }));
    await waitFor(() => expect(api.find('PATCH', /\/api\/businesses\/.+/)).toHaveLength(1));
    expect(api.find('PATCH', /\/api\/businesses\/.+/)[0]?.body).toEqual({ settings: { llm_budget_usd: 10 } });
    expect(await screen.findByText(/left; the month resets on/)).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Share of the monthly budget spent' })).toHaveAttribute(
      'aria-valuenow',
      '15',
    );

    await user.click(screen.getByRole('button', { name: 'Remove budget' }));
    await waitFor(() => expect(api.find('PATCH', /\/api\/businesses\/.+/)).toHaveLength(2));
    expect(api.find('PATCH', /\/api\/businesses\/.+/)[1]?.body).toEqual({
      settings: { llm_budget_usd: null },
    });
    expect(await screen.findByText(/No budget: the model answers/)).toBeInTheDocument();
  });

  it('says so when the budget is spent', async () => {
    api.business = { ...api.business, settings: { llm_budget_usd: 1 } };
    api.llmSpentUsd = 1.25;
    open();
    expect(
      await screen.findByText(/Budget reached: the offline engine answers customers until/),
    ).toBeInTheDocument();
  });
});
