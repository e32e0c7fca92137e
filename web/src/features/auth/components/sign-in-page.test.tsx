import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { useSession } from '@/lib/auth/session';
import { apiError, BUSINESS_ID, FakeApi, json, memberMe } from '@/test/fake-api';
import { renderRoutes, route } from '@/test/render';
import { SignInPage } from './sign-in-page';

function Home() {
  const { me, signOut } = useSession();
  return (
    <div>
      <p>Signed in as {me?.role}</p>
      <button type="button" onClick={() => signOut()}>
        Sign out
      </button>
    </div>
  );
}

describe('sign-in page', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    api.me = null;
    api.override('POST /api/auth/login', (r) => {
      const body = r.body as { api_key?: string; email?: string; password?: string };
      if (body.email !== undefined) {
        if (body.email !== 'sam@example.com' || body.password !== 'correct horse')
          return apiError(401, 'AUTHENTICATION_ERROR', 'Wrong e-mail or password');
        api.me = memberMe([{ role: 'agent' }]);
        return json(200, api.me);
      }
      if (body.api_key !== 'master-key') return apiError(401, 'AUTHENTICATION_ERROR', 'Invalid API key');
      api.me = { role: 'admin' };
      return json(200, api.me);
    });
  });

  it('signs in with the master key alone, then signs out, keeping nothing in browser storage', async () => {
    const user = userEvent.setup();
    renderRoutes([route('/sign-in', <SignInPage />), route('/', <Home />)], '/sign-in');
    await user.click(await screen.findByRole('tab', { name: 'API key' }));
    await user.type(await screen.findByLabelText(/API key/), 'master-key');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Signed in as admin')).toBeInTheDocument();
    expect(api.find('POST', '/api/auth/login')[0]?.body).toEqual({ api_key: 'master-key' });
    expect(localStorage.length + sessionStorage.length).toBe(0);

    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    await waitFor(() => expect(api.find('POST', '/api/auth/logout')).toHaveLength(1));
  });

  it('signs in with a business id and key through save-config', async () => {
    const user = userEvent.setup();
    api.override('POST /api/save-config', () => {
      api.me = { role: 'business', business_id: BUSINESS_ID, business_name: 'Acme Bikes' };
      return json(200, { success: true, business_id: BUSINESS_ID, business_name: 'Acme Bikes' });
    });
    renderRoutes([route('/sign-in', <SignInPage />), route('/', <Home />)], '/sign-in?method=key');
    await user.type(await screen.findByLabelText(/Business ID/), BUSINESS_ID);
    await user.type(screen.getByLabelText(/API key/), 'biz-key');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Signed in as business')).toBeInTheDocument();
    expect(api.find('POST', '/api/save-config')[0]?.body).toEqual({
      business_id: BUSINESS_ID,
      api_key: 'biz-key',
    });
  });

  it('says when the key is wrong', async () => {
    const user = userEvent.setup();
    renderRoutes([route('/sign-in', <SignInPage />), route('/', <Home />)], '/sign-in?method=key');
    await user.type(await screen.findByLabelText(/API key/), 'nope');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Invalid API key')).toBeInTheDocument();
    expect(screen.getByText('This key was not accepted.')).toBeInTheDocument();
  });

  it('signs in with e-mail and password on the first tab, the default once accounts exist', async () => {
    const user = userEvent.setup();
    renderRoutes([route('/sign-in', <SignInPage />), route('/', <Home />)], '/sign-in');
    expect(await screen.findByRole('tab', { name: 'E-mail', selected: true })).toBeInTheDocument();
    await user.type(await screen.findByLabelText(/E-mail/), 'sam@example.com');
    await user.type(screen.getByLabelText(/Password/), 'correct horse');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Signed in as member')).toBeInTheDocument();
    expect(api.find('POST', '/api/auth/login')[0]?.body).toEqual({
      email: 'sam@example.com',
      password: 'correct horse',
    });
    expect(localStorage.length + sessionStorage.length).toBe(0);
  });

  it('says when the e-mail or password is wrong, without telling which', async () => {
    const user = userEvent.setup();
    renderRoutes([route('/sign-in', <SignInPage />), route('/', <Home />)], '/sign-in');
    await user.type(await screen.findByLabelText(/E-mail/), 'sam@example.com');
    await user.type(screen.getByLabelText(/Password/), 'wrong');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Wrong e-mail or password')).toBeInTheDocument();
    expect(screen.getByText('The e-mail or password is not right.')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Forgot your password?' })).toHaveAttribute(
      'href',
      '/forgot-password',
    );
  });

  it('shows the first-run screen while no account exists and makes the first admin with the master key', async () => {
    const user = userEvent.setup();
    api.hasAccounts = false;
    api.override('POST /api/auth/login', (r) => {
      const body = r.body as { api_key?: string; email?: string };
      if (body.api_key === 'master-key') {
        api.me = { role: 'admin' };
        return json(200, api.me);
      }
      if (body.email === 'ada@example.com') {
        api.me = memberMe([], { email: 'ada@example.com', name: 'Ada', is_admin: true });
        return json(200, api.me);
      }
      return apiError(401, 'AUTHENTICATION_ERROR', 'Invalid API key');
    });
    renderRoutes([route('/sign-in', <SignInPage />), route('/', <Home />)], '/sign-in');
    expect(await screen.findByRole('tab', { name: 'First run', selected: true })).toBeInTheDocument();
    expect(screen.getByText(/nobody has an account yet/)).toBeInTheDocument();
    expect(screen.getByText('ICMP_API_KEY')).toBeInTheDocument();

    // A wrong master key is named as such, and nothing is created.
    await user.type(screen.getByLabelText(/Master key/), 'nope');
    await user.type(screen.getByLabelText(/Your name/), 'Ada');
    await user.type(screen.getByLabelText(/E-mail/), 'ada@example.com');
    await user.type(screen.getByLabelText(/^Password/), 'long enough pw');
    await user.click(screen.getByRole('button', { name: 'Create administrator account' }));
    expect(await screen.findByText('The master key was not accepted.')).toBeInTheDocument();
    expect(api.find('POST', '/api/auth/accounts')).toHaveLength(0);

    await user.clear(screen.getByLabelText(/Master key/));
    await user.type(screen.getByLabelText(/Master key/), 'master-key');
    await user.click(screen.getByRole('button', { name: 'Create administrator account' }));
    expect(await screen.findByText('Signed in as member')).toBeInTheDocument();
    expect(api.find('POST', '/api/auth/accounts')[0]?.body).toEqual({
      email: 'ada@example.com',
      password: 'long enough pw',
      name: 'Ada',
      is_admin: true,
    });
    const logins = api.find('POST', '/api/auth/login').map((r) => Object.keys(r.body as object).sort());
    expect(logins).toEqual([['api_key'], ['api_key'], ['email', 'password']]);
  });

  it('keeps the API-key tab on the first-run screen', async () => {
    const user = userEvent.setup();
    api.hasAccounts = false;
    renderRoutes([route('/sign-in', <SignInPage />), route('/', <Home />)], '/sign-in');
    await user.click(await screen.findByRole('tab', { name: 'API key' }));
    await user.type(await screen.findByLabelText(/API key/), 'master-key');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Signed in as admin')).toBeInTheDocument();
  });
});
