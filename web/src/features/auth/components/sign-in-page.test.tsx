import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { useSession } from '@/lib/auth/session';
import { apiError, BUSINESS_ID, FakeApi, json } from '@/test/fake-api';
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
      if ((r.body as { api_key: string }).api_key !== 'master-key')
        return apiError(401, 'AUTHENTICATION_ERROR', 'Invalid API key');
      api.me = { role: 'admin' };
      return json(200, api.me);
    });
  });

  it('signs in with the master key alone, then signs out, keeping nothing in browser storage', async () => {
    const user = userEvent.setup();
    renderRoutes([route('/sign-in', <SignInPage />), route('/', <Home />)], '/sign-in');
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
    renderRoutes([route('/sign-in', <SignInPage />), route('/', <Home />)], '/sign-in');
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
    renderRoutes([route('/sign-in', <SignInPage />), route('/', <Home />)], '/sign-in');
    await user.type(await screen.findByLabelText(/API key/), 'nope');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByText('Invalid API key')).toBeInTheDocument();
    expect(screen.getByText('This key was not accepted.')).toBeInTheDocument();
  });
});
