import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeApi, memberMe } from '@/test/fake-api';
import { renderRoutes, route } from '@/test/render';
import { FieldsPage } from './fields-page';

describe('fields page', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    api.fields.push({ name: 'email', label: 'E-mail', type: 'email', description: '', pii: true });
  });
  const open = () => renderRoutes([route('/fields', <FieldsPage />)], '/fields');

  it('an editor adds an enum field, edits and deletes one; bad input is explained', async () => {
    const user = userEvent.setup();
    api.me = memberMe([{ role: 'editor' }]);
    open();
    const table = await screen.findByRole('table', { name: 'Fields' });
    expect(table).toHaveTextContent('email');
    expect(table).toHaveTextContent('E-mail');

    await user.click(screen.getByRole('button', { name: 'New field' }));
    const dialog = await screen.findByRole('dialog', { name: 'New field' });
    await user.type(within(dialog).getByRole('textbox', { name: /Name/ }), '1room');
    await user.click(within(dialog).getByRole('combobox', { name: 'Type' }));
    await user.click(
      within(await screen.findByRole('listbox')).getByRole('option', { name: 'One of a list' }),
    );
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(within(dialog).getByText(/starting with a letter/)).toBeInTheDocument();
    expect(within(dialog).getByText('List the allowed values.')).toBeInTheDocument();
    const name = within(dialog).getByRole('textbox', { name: /Name/ });
    await user.clear(name);
    await user.type(name, 'room');
    await user.type(within(dialog).getByRole('textbox', { name: /Label/ }), 'Room');
    await user.type(within(dialog).getByRole('textbox', { name: /Allowed values/ }), 'Single, Double');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.find('POST', /\/fields$/)[0]?.body).toEqual({
      name: 'room',
      label: 'Room',
      type: 'enum',
      description: '',
      pii: false,
      values: ['Single', 'Double'],
    });
    expect(await within(table).findByText('One of a list: Single, Double')).toBeInTheDocument();

    await user.click(within(table).getByRole('button', { name: 'Edit email' }));
    const edit = await screen.findByRole('dialog', { name: 'Edit email' });
    expect(within(edit).getByRole('textbox', { name: /Name/ })).toBeDisabled();
    const label = within(edit).getByRole('textbox', { name: /Label/ });
    await user.clear(label);
    await user.type(label, 'Work e-mail');
    await user.click(within(edit).getByRole('button', { name: 'Save' }));
    expect(await within(table).findByText('Work e-mail')).toBeInTheDocument();
    expect(api.find('PUT', /\/fields\/email$/)[0]?.body).toMatchObject({
      label: 'Work e-mail',
      type: 'email',
    });

    await user.click(within(table).getByRole('button', { name: 'Delete room' }));
    await user.click(
      within(await screen.findByRole('dialog', { name: 'Delete room?' })).getByRole('button', {
        name: 'Delete',
      }),
    );
    await waitFor(() => expect(within(table).queryByText('room')).toBeNull());
  });

  it('a viewer reads the fields without edit actions', async () => {
    api.me = memberMe([{ role: 'viewer' }]);
    open();
    const table = await screen.findByRole('table', { name: 'Fields' });
    expect(table).toHaveTextContent('email');
    expect(screen.queryByRole('button', { name: 'New field' })).toBeNull();
    expect(within(table).queryByRole('button', { name: 'Edit email' })).toBeNull();
  });
});
