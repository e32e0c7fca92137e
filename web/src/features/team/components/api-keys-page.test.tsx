import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { BUSINESS_ID, FakeApi, makeApiKey, memberMe } from '@/test/fake-api';
import { renderRoutes, route } from '@/test/render';
import { ApiKeysPage } from './api-keys-page';

describe('API keys page', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    api.me = memberMe([{ role: 'owner' }]);
    api.apiKeys = [makeApiKey({ name: 'Business key', scopes: ['admin'], prefix: 'icmp_abcd' })];
  });

  it('creates a key whose secret is shown once, then only its prefix', async () => {
    const user = userEvent.setup();
    renderRoutes([route('/api-keys', <ApiKeysPage />)], '/api-keys');
    const list = await screen.findByRole('list', { name: 'API keys' });
    expect(within(list).getByText('Business key')).toBeInTheDocument();
    expect(within(list).getByText('icmp_abcd…')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'New API key' }));
    const dialog = await screen.findByRole('dialog', { name: 'New API key' });
    await user.type(within(dialog).getByLabelText(/Key name/), 'Website backend');
    await user.click(within(dialog).getByRole('checkbox', { name: /^read:/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Create key' }));

    const secret = await screen.findByRole('dialog', { name: 'API key "Website backend"' });
    const value = within(secret).getByLabelText('New API key').textContent ?? '';
    expect(value).toMatch(/_SECRET_/);
    expect(within(secret).getByText(/shown only once/)).toBeInTheDocument();
    expect(api.find('POST', `/api/businesses/${BUSINESS_ID}/api-keys`)[0]?.body).toEqual({
      name: 'Website backend',
      scopes: ['messages', 'read'],
    });

    await user.click(within(secret).getByRole('button', { name: 'I have copied it' }));
    await waitFor(() => expect(screen.queryByText(value)).not.toBeInTheDocument());
    expect(await screen.findByText('Website backend')).toBeInTheDocument();
    expect(document.body.textContent).not.toContain(value);
    expect(localStorage.length + sessionStorage.length).toBe(0);
  });

  it('revokes a key after confirming', async () => {
    const user = userEvent.setup();
    renderRoutes([route('/api-keys', <ApiKeysPage />)], '/api-keys');
    await user.click(await screen.findByRole('button', { name: 'Revoke Business key' }));
    const dialog = await screen.findByRole('dialog', { name: 'Revoke API key?' });
    await user.click(within(dialog).getByRole('button', { name: 'Revoke' }));
    expect(await screen.findByText('No API keys')).toBeInTheDocument();
    expect(api.find('DELETE', /\/api-keys\//)).toHaveLength(1);
  });

  it('is closed to an agent, with the reason', async () => {
    api.me = memberMe([{ role: 'agent' }]);
    renderRoutes([route('/api-keys', <ApiKeysPage />)], '/api-keys');
    expect(await screen.findByText('API keys are managed by owners')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'New API key' })).toBeDisabled();
    expect(api.find('GET', /\/api-keys$/)).toHaveLength(0);
  });
});
