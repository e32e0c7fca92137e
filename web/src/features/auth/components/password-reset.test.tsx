import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeApi } from '@/test/fake-api';
import { renderRoutes, route } from '@/test/render';
import { ForgotPasswordPage } from './forgot-password-page';
import { ResetPasswordPage } from './reset-password-page';

describe('password reset', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    api.me = null;
  });

  it('asks for a link by e-mail and answers the same whether or not the account exists', async () => {
    const user = userEvent.setup();
    renderRoutes([route('/forgot-password', <ForgotPasswordPage />)], '/forgot-password');
    await user.type(await screen.findByLabelText(/E-mail/), 'sam@example.com');
    await user.click(screen.getByRole('button', { name: 'Send reset link' }));
    expect(await screen.findByText(/If an account uses sam@example.com/)).toBeInTheDocument();
    expect(api.find('POST', '/api/auth/password-reset')[0]?.body).toEqual({ email: 'sam@example.com' });
  });

  it('sets a new password from the link, and says when the link is dead', async () => {
    const user = userEvent.setup();
    renderRoutes(
      [route('/reset-password/:token', <ResetPasswordPage />), route('/sign-in', <p>Sign-in</p>)],
      '/reset-password/used-token',
    );
    await user.type(await screen.findByLabelText(/^New password/), 'a brand new password');
    await user.type(screen.getByLabelText(/Repeat the new password/), 'a brand new password');
    await user.click(screen.getByRole('button', { name: 'Set new password' }));
    expect(await screen.findByText('This reset link is not valid or has expired')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /ask for a new one/ })).toHaveAttribute(
      'href',
      '/forgot-password',
    );
  });

  it('a good link changes the password and leads to sign-in', async () => {
    const user = userEvent.setup();
    renderRoutes(
      [route('/reset-password/:token', <ResetPasswordPage />), route('/sign-in', <p>Sign-in</p>)],
      '/reset-password/good-token',
    );
    await user.type(await screen.findByLabelText(/^New password/), 'a brand new password');
    await user.type(screen.getByLabelText(/Repeat the new password/), 'a brand new password');
    await user.click(screen.getByRole('button', { name: 'Set new password' }));
    expect(await screen.findByText(/Your password is changed/)).toBeInTheDocument();
    expect(api.find('POST', '/api/auth/password-reset/confirm')[0]?.body).toEqual({
      token: 'good-token',
      new_password: 'a brand new password',
    });
    await user.click(screen.getByRole('link', { name: 'Sign in' }));
    expect(await screen.findByText('Sign-in')).toBeInTheDocument();
  });
});
