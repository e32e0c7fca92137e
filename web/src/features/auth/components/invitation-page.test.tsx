import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { useSession } from '@/lib/auth/session';
import { BUSINESS_ID, FakeApi, memberMe } from '@/test/fake-api';
import { renderRoutes, route } from '@/test/render';
import { InvitationPage } from './invitation-page';

function Home() {
  const { user, businessName, standing } = useSession();
  return (
    <p>
      Home of {user?.email} in {businessName} as {standing?.kind === 'member' ? standing.role : '?'}
    </p>
  );
}

describe('invitation page', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    api.me = null;
    api.invitationViews.set('tok-1', {
      business_id: BUSINESS_ID,
      business_name: 'Acme Bikes',
      email: 'ann@example.com',
      role: 'agent',
      expires_at: '2026-03-19T14:00:00.000Z',
      invited_by: 'Olga Owner',
    });
  });

  const open = (token = 'tok-1') =>
    renderRoutes(
      [
        route('/invitations/:token', <InvitationPage />),
        route('/', <Home />),
        route('/sign-in', <p>Sign-in</p>),
      ],
      `/invitations/${token}`,
    );

  it('shows who is invited to what and makes the account with a name and a password', async () => {
    const user = userEvent.setup();
    open();
    expect(await screen.findByText('ann@example.com', { selector: 'strong' })).toBeInTheDocument();
    expect(screen.getByText('Olga Owner', { selector: 'strong' })).toBeInTheDocument();
    expect(screen.getByText('Acme Bikes', { selector: 'strong' })).toBeInTheDocument();
    expect(screen.getByText('agent', { selector: 'strong' })).toBeInTheDocument();

    await user.type(screen.getByLabelText(/Your name/), 'Ann');
    await user.type(screen.getByLabelText(/Choose a password/), 'short');
    await user.click(screen.getByRole('button', { name: 'Accept and create account' }));
    expect(await screen.findByText('At least 10 characters')).toBeInTheDocument();
    expect(api.find('POST', '/api/invitations/tok-1/accept')).toHaveLength(0);

    await user.clear(screen.getByLabelText(/Choose a password/));
    await user.type(screen.getByLabelText(/Choose a password/), 'a long enough one');
    await user.click(screen.getByRole('button', { name: 'Accept and create account' }));
    expect(await screen.findByText('Home of ann@example.com in Acme Bikes as agent')).toBeInTheDocument();
    expect(api.find('POST', '/api/invitations/tok-1/accept')[0]?.body).toEqual({
      name: 'Ann',
      password: 'a long enough one',
    });
  });

  it('an e-mail that already has an account is told to sign in first', async () => {
    const user = userEvent.setup();
    api.existingEmails = ['ann@example.com'];
    open();
    await user.type(await screen.findByLabelText(/Your name/), 'Ann');
    await user.type(screen.getByLabelText(/Choose a password/), 'a long enough one');
    await user.click(screen.getByRole('button', { name: 'Accept and create account' }));
    expect(await screen.findByText(/An account with this e-mail exists/)).toBeInTheDocument();
    await user.click(screen.getByRole('link', { name: 'Sign in to accept' }));
    expect(await screen.findByText('Sign-in')).toBeInTheDocument();
  });

  it('a signed-in account accepts with its session, sending no password', async () => {
    const user = userEvent.setup();
    api.me = memberMe([{ role: 'owner', business_name: 'Other shop', business_id: 'b-2' }], {
      email: 'ann@example.com',
    });
    open();
    await user.click(await screen.findByRole('button', { name: 'Accept as ann@example.com' }));
    expect(await screen.findByText('Home of ann@example.com in Acme Bikes as agent')).toBeInTheDocument();
    expect(api.find('POST', '/api/invitations/tok-1/accept')[0]?.body).toEqual({});
  });

  it('an unknown, used or expired token says so', async () => {
    open('nope');
    expect(await screen.findByText(/does not exist, has expired or was already used/)).toBeInTheDocument();
  });
});
