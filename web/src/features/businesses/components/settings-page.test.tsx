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
});
