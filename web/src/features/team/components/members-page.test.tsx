import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { BUSINESS_ID, FakeApi, makeMember, memberMe } from '@/test/fake-api';
import { renderRoutes, route } from '@/test/render';
import { MembersPage } from './members-page';

describe('members page', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    api.me = memberMe([{ role: 'owner' }], { id: 'u-owner', email: 'olga@example.com', name: 'Olga' });
    api.members = [
      makeMember({ email: 'olga@example.com', name: 'Olga', role: 'owner', account_id: 'u-owner' }),
      makeMember({ email: 'eddie@example.com', name: 'Eddie', role: 'editor' }),
    ];
  });

  const open = () => renderRoutes([route('/members', <MembersPage />)], '/members');

  it('lists members and invites one by e-mail with a role, showing the link to send', async () => {
    const user = userEvent.setup();
    open();
    const list = await screen.findByRole('list', { name: 'Members' });
    expect(within(list).getByText('Eddie')).toBeInTheDocument();
    expect(within(list).getByText('you')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Invite member' }));
    const dialog = await screen.findByRole('dialog', { name: 'Invite a member' });
    await user.type(within(dialog).getByLabelText(/E-mail/), 'nope');
    await user.click(within(dialog).getByRole('button', { name: 'Send invitation' }));
    expect(await within(dialog).findByText('must be an e-mail')).toBeInTheDocument();

    await user.clear(within(dialog).getByLabelText(/E-mail/));
    await user.type(within(dialog).getByLabelText(/E-mail/), 'ann@example.com');
    await user.click(within(dialog).getByRole('combobox', { name: /Role/ }));
    await user.click(await screen.findByRole('option', { name: 'Viewer' }));
    await user.click(within(dialog).getByRole('button', { name: 'Send invitation' }));
    const link = await within(dialog).findByLabelText('Invitation link');
    expect(link.textContent).toMatch(/^https:\/\/icmp\.example\.com\/invitations\/tok-/);
    expect(api.find('POST', `/api/businesses/${BUSINESS_ID}/members`).at(-1)?.body).toEqual({
      email: 'ann@example.com',
      role: 'viewer',
    });
    await user.click(within(dialog).getByRole('button', { name: 'Done' }));
    expect(api.invitations).toMatchObject([{ email: 'ann@example.com', role: 'viewer' }]);
    // Pending until accepted; an owner can revoke the link.
    const pending = await screen.findByRole('list', { name: 'Pending invitations' });
    await user.click(
      within(pending).getByRole('button', { name: 'Revoke the invitation of ann@example.com' }),
    );
    await user.click(
      within(await screen.findByRole('dialog', { name: 'Revoke invitation?' })).getByRole('button', {
        name: 'Revoke',
      }),
    );
    await waitFor(() => expect(api.invitations).toEqual([]));
    await waitFor(() => expect(screen.queryByRole('list', { name: 'Pending invitations' })).toBeNull());
  });

  it('changes a role, and shows the 409 when the last owner would be demoted', async () => {
    const user = userEvent.setup();
    open();
    await user.click(
      within(await screen.findByRole('listitem', { name: 'Eddie, editor' })).getByRole('combobox'),
    );
    await user.click(await screen.findByRole('option', { name: 'Agent' }));
    await waitFor(() => expect(api.members[1]?.role).toBe('agent'));

    await user.click(within(screen.getByRole('listitem', { name: 'Olga, owner' })).getByRole('combobox'));
    await user.click(await screen.findByRole('option', { name: 'Viewer' }));
    expect(await screen.findByText('The last owner cannot be demoted')).toBeInTheDocument();
    expect(api.members[0]?.role).toBe('owner');
  });

  it('removes a member after confirming', async () => {
    const user = userEvent.setup();
    open();
    await user.click(await screen.findByRole('button', { name: 'Remove Eddie' }));
    const dialog = await screen.findByRole('dialog', { name: 'Remove member?' });
    await user.click(within(dialog).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(screen.queryByText('Eddie')).not.toBeInTheDocument());
    expect(api.members.map((m) => m.name)).toEqual(['Olga']);
  });

  it('an editor sees why the page is not theirs, and no member is fetched', async () => {
    api.me = memberMe([{ role: 'editor' }]);
    open();
    expect(await screen.findByText('Members are managed by owners')).toBeInTheDocument();
    expect(screen.getByText('Only owners can do this; your role here is editor.')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Invite member' })).toBeDisabled();
    expect(api.find('GET', `/api/businesses/${BUSINESS_ID}/members`)).toHaveLength(0);
  });
});
