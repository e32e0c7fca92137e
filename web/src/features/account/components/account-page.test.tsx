import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeApi, makeAuthSession, memberMe } from '@/test/fake-api';
import { renderRoutes, route } from '@/test/render';
import { AccountPage } from './account-page';

describe('account page', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    api.me = memberMe([{ role: 'agent' }]);
    api.authSessions = [
      makeAuthSession({ current: true, device: 'Chrome on Android' }),
      makeAuthSession({ device: 'Firefox on Linux' }),
      makeAuthSession({ device: 'Safari on macOS' }),
    ];
  });

  const open = () => renderRoutes([route('/account', <AccountPage />)], '/account');

  it('lists sessions, marks this one, signs out one and then all others', async () => {
    const user = userEvent.setup();
    open();
    const list = await screen.findByRole('list', { name: 'Sessions' });
    const current = within(list).getByRole('listitem', { name: 'Chrome on Android' });
    expect(within(current).getByText('this device')).toBeInTheDocument();
    expect(within(current).queryByRole('button')).not.toBeInTheDocument();

    await user.click(within(list).getByRole('button', { name: 'Sign out Firefox on Linux' }));
    await waitFor(() => expect(screen.queryByText('Firefox on Linux')).not.toBeInTheDocument());
    expect(api.find('DELETE', /\/api\/auth\/sessions\/.+/)).toHaveLength(1);

    await user.click(screen.getByRole('button', { name: 'Sign out all other sessions' }));
    await waitFor(() => expect(screen.queryByText('Safari on macOS')).not.toBeInTheDocument());
    expect(api.find('DELETE', '/api/auth/sessions')).toHaveLength(1);
    expect(screen.getByRole('button', { name: 'Sign out all other sessions' })).toBeDisabled();
  });

  it('changes the password: a wrong current one is named, the right one revokes the other sessions', async () => {
    const user = userEvent.setup();
    open();
    await screen.findByRole('list', { name: 'Sessions' });
    const form = screen.getByRole('form', { name: 'Change password' });
    await user.type(within(form).getByLabelText('Current password'), 'guess');
    await user.type(within(form).getByLabelText('New password'), 'a new long password');
    await user.type(within(form).getByLabelText('Repeat the new password'), 'a new long passwort');
    await user.click(within(form).getByRole('button', { name: 'Change password' }));
    expect(await within(form).findByText('Does not match')).toBeInTheDocument();
    expect(api.find('POST', '/api/auth/password')).toHaveLength(0);

    await user.clear(within(form).getByLabelText('Repeat the new password'));
    await user.type(within(form).getByLabelText('Repeat the new password'), 'a new long password');
    await user.click(within(form).getByRole('button', { name: 'Change password' }));
    expect(await within(form).findByText('Not your current password.')).toBeInTheDocument();

    await user.clear(within(form).getByLabelText('Current password'));
    await user.type(within(form).getByLabelText('Current password'), 'old-password');
    await user.type(within(form).getByLabelText('New password'), 'x');
    await user.clear(within(form).getByLabelText('New password'));
    await user.type(within(form).getByLabelText('New password'), 'a new long password');
    await user.click(within(form).getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText(/Password changed/)).toBeInTheDocument();
    expect(api.find('POST', '/api/auth/password').at(-1)?.body).toEqual({
      current_password: 'old-password',
      new_password: 'a new long password',
    });
    await waitFor(() => expect(screen.queryByText('Safari on macOS')).not.toBeInTheDocument());
  });

  it('a key sign-in has no account to manage', async () => {
    api.me = { role: 'admin' };
    open();
    expect(await screen.findByText('Signed in with an API key')).toBeInTheDocument();
    expect(api.find('GET', '/api/auth/sessions')).toHaveLength(0);
  });
});
