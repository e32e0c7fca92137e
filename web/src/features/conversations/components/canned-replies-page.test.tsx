import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeApi, memberMe } from '@/test/fake-api';
import { renderRoutes, route } from '@/test/render';
import { CannedRepliesPage } from './canned-replies-page';

describe('canned replies page', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    api.addCannedReply('hours', 'We are open 9 to 5.');
  });
  const open = () => renderRoutes([route('/canned-replies', <CannedRepliesPage />)], '/canned-replies');

  it('an editor creates, edits and deletes canned replies; a taken shortcut is refused', async () => {
    const user = userEvent.setup();
    api.me = memberMe([{ role: 'editor' }]);
    open();
    expect(await screen.findByRole('heading', { level: 1, name: 'Canned replies' })).toBeInTheDocument();
    const table = await screen.findByRole('table', { name: 'Canned replies' });
    expect(table).toHaveTextContent('/hours');

    await user.click(screen.getByRole('button', { name: 'New canned reply' }));
    let dialog = await screen.findByRole('dialog', { name: 'New canned reply' });
    await user.type(within(dialog).getByRole('textbox', { name: /Shortcut/ }), 'Bad Shortcut');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(within(dialog).getByText(/Lowercase letters, digits/)).toBeInTheDocument();
    await user.clear(within(dialog).getByRole('textbox', { name: /Shortcut/ }));
    await user.type(within(dialog).getByRole('textbox', { name: /Shortcut/ }), 'hours');
    await user.type(within(dialog).getByRole('textbox', { name: /Reply/ }), 'Hello {{{{user_name}}');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByText('already used')).toBeInTheDocument();
    await user.clear(within(dialog).getByRole('textbox', { name: /Shortcut/ }));
    await user.type(within(dialog).getByRole('textbox', { name: /Shortcut/ }), 'hello');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.find('POST', '/api/canned-replies')[1]?.body).toEqual({
      business_id: api.business.business_id,
      shortcut: 'hello',
      content: 'Hello {{user_name}}',
    });
    expect(await within(table).findByText('/hello')).toBeInTheDocument();

    await user.click(within(table).getByRole('button', { name: 'Edit /hours' }));
    dialog = await screen.findByRole('dialog', { name: 'Edit /hours' });
    const content = within(dialog).getByRole('textbox', { name: /Reply/ });
    await user.clear(content);
    await user.type(content, 'Open 10 to 6.');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(table).findByText('Open 10 to 6.')).toBeInTheDocument();

    await user.click(within(table).getByRole('button', { name: 'Delete /hours' }));
    await user.click(
      within(await screen.findByRole('dialog', { name: 'Delete /hours?' })).getByRole('button', {
        name: 'Delete',
      }),
    );
    await waitFor(() => expect(within(table).queryByText('/hours')).toBeNull());
  });

  it('an agent reads them but may not change them, and is told why', async () => {
    api.me = memberMe([{ role: 'agent' }]);
    open();
    expect(await screen.findByRole('table', { name: 'Canned replies' })).toHaveTextContent(
      'We are open 9 to 5.',
    );
    expect(screen.getByText(/Read only: Only editors and owners can do this/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'New canned reply' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Edit /hours' })).toBeNull();
  });
});
