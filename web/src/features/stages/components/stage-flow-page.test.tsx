import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Stage } from '@/lib/api/models';
import { FakeApi, memberMe } from '@/test/fake-api';
import { renderRoutes, route } from '@/test/render';
import { StageFlowPage } from './stage-flow-page';

/** A phone: MUI's `down('md')` query (max-width) matches, so the page starts with the list view. */
function phone() {
  vi.stubGlobal('matchMedia', (query: string) => ({
    matches: /max-width/.test(query),
    media: query,
    onchange: null,
    addListener: () => {},
    removeListener: () => {},
    addEventListener: () => {},
    removeEventListener: () => {},
    dispatchEvent: () => false,
  }));
}

describe('stage flow page', () => {
  let api: FakeApi;
  let greet: Stage;
  let book: Stage;
  let human: Stage;
  beforeEach(() => {
    api = new FakeApi().install();
    api.fields.push(
      { name: 'email', label: 'E-mail', type: 'email', description: '', pii: true },
      { name: 'room', label: 'Room', type: 'enum', values: ['Single', 'Suite'], description: '', pii: false },
    );
    greet = api.addStage({ stage_name: 'Greeting', required_fields: ['email'], optional_fields: ['room'] });
    book = api.addStage({ stage_name: 'Booking' });
    human = api.addStage({ stage_name: 'Human', handoff: true });
    greet.allowed_next_stage_ids = [book.stage_id];
    greet.transition_rules = [
      { kind: 'complete', target_stage_id: book.stage_id, label: 'details collected' },
    ];
    book.allowed_next_stage_ids = null;
    book.transition_rules = [];
    human.allowed_next_stage_ids = null;
    human.transition_rules = [];
    api.business.first_stage_id = greet.stage_id;
    api.transitionCounts = [
      { from_stage_id: null, to_stage_id: greet.stage_id, count: 5 },
      { from_stage_id: greet.stage_id, to_stage_id: book.stage_id, count: 3 },
      { from_stage_id: book.stage_id, to_stage_id: human.stage_id, count: 1 },
    ];
  });
  const open = () =>
    renderRoutes(
      [
        route('/stages/flow', <StageFlowPage />),
        route('/stages/:id/edit', <p>Stage editor</p>),
        route('/stages/:id', <p>Stage page</p>),
      ],
      '/stages/flow',
    );
  const card = (name: string) => screen.getByRole('listitem', { name });

  it('on a phone an editor reads the flow as a list and edits it with buttons', async () => {
    phone();
    const user = userEvent.setup();
    api.me = memberMe([{ role: 'editor' }]);
    open();
    await screen.findByRole('list', { name: 'Stages and their transitions' });
    const g = card('Greeting');
    expect(g).toHaveTextContent('entry');
    // Fields read by their labels once the fields have loaded.
    await waitFor(() => expect(g).toHaveTextContent('Required: E-mail · Optional: Room'));
    expect(g).toHaveTextContent('→ Booking · 3 observed');
    expect(g).toHaveTextContent('details collected → Booking · 3 observed');
    expect(card('Booking')).toHaveTextContent('Any stage');
    expect(card('Booking')).toHaveTextContent('Also observed: → Human (1)');
    expect(within(card('Human')).getByRole('switch', { name: 'Any stage may follow Human' })).toBeChecked();

    // A rule "room = Suite → Human" on Greeting.
    await user.click(within(g).getByRole('button', { name: 'Add rule to Greeting' }));
    let dialog = await screen.findByRole('dialog', { name: 'From Greeting' });
    expect(within(dialog).getByRole('radio', { name: /A rule/ })).toBeChecked();
    await user.click(within(dialog).getByRole('button', { name: 'Add' }));
    expect(within(dialog).getByText('Choose the next stage.')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('combobox', { name: /Next stage/ }));
    await user.click(within(await screen.findByRole('listbox')).getByRole('option', { name: 'Human' }));
    await user.click(within(dialog).getByRole('combobox', { name: 'When' }));
    await user.click(
      within(await screen.findByRole('listbox')).getByRole('option', { name: /A field has a given value/ }),
    );
    await user.click(within(dialog).getByRole('combobox', { name: /Field/ }));
    await user.click(within(await screen.findByRole('listbox')).getByRole('option', { name: 'Room (room)' }));
    await user.click(within(dialog).getByRole('combobox', { name: /Value/ }));
    await user.click(within(await screen.findByRole('listbox')).getByRole('option', { name: 'Suite' }));
    await user.click(within(dialog).getByRole('button', { name: 'Add' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.find('PUT', `/api/stages/${greet.stage_id}`).at(-1)?.body).toEqual({
      transition_rules: [
        { kind: 'complete', target_stage_id: book.stage_id, label: 'details collected' },
        { kind: 'field_equals', field: 'room', value: 'Suite', target_stage_id: human.stage_id },
      ],
    });
    expect(await within(card('Greeting')).findByText('when Room = Suite → Human')).toBeInTheDocument();

    // Rules are checked in order: the new one moves first.
    expect(card('Greeting')).toHaveTextContent('Checked in this order');
    expect(
      within(card('Greeting')).getByRole('button', { name: 'Move rule details collected up' }),
    ).toBeDisabled();
    await user.click(
      within(card('Greeting')).getByRole('button', { name: 'Move rule when Room = Suite up' }),
    );
    await waitFor(() =>
      expect(api.find('PUT', `/api/stages/${greet.stage_id}`).at(-1)?.body).toEqual({
        transition_rules: [
          { kind: 'field_equals', field: 'room', value: 'Suite', target_stage_id: human.stage_id },
          { kind: 'complete', target_stage_id: book.stage_id, label: 'details collected' },
        ],
      }),
    );
    await waitFor(() =>
      expect(
        within(card('Greeting')).getByRole('button', { name: 'Move rule when Room = Suite up' }),
      ).toBeDisabled(),
    );

    // An allowed transition Booking → Human: Booking goes from "any stage" to a list of one.
    await user.click(
      within(card('Booking')).getByRole('button', { name: 'Add allowed stage after Booking' }),
    );
    dialog = await screen.findByRole('dialog', { name: 'From Booking' });
    expect(within(dialog).getByText(/Any stage may follow Booking now/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole('combobox', { name: /Next stage/ }));
    await user.click(within(await screen.findByRole('listbox')).getByRole('option', { name: 'Human' }));
    await user.click(within(dialog).getByRole('button', { name: 'Add' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.find('PUT', `/api/stages/${book.stage_id}`).at(-1)?.body).toEqual({
      allowed_next_stage_ids: [human.stage_id],
    });
    expect(
      await within(card('Booking')).findByRole('switch', { name: 'Any stage may follow Booking' }),
    ).not.toBeChecked();

    // Remove the first rule, then open Greeting to any next stage.
    await user.click(
      within(card('Greeting')).getByRole('button', {
        name: 'Remove rule details collected from Greeting to Booking',
      }),
    );
    await waitFor(() =>
      expect(api.find('PUT', `/api/stages/${greet.stage_id}`).at(-1)?.body).toEqual({
        transition_rules: [
          { kind: 'field_equals', field: 'room', value: 'Suite', target_stage_id: human.stage_id },
        ],
      }),
    );
    await waitFor(() => expect(card('Greeting')).not.toHaveTextContent('details collected'));
    await user.click(within(card('Greeting')).getByRole('switch', { name: 'Any stage may follow Greeting' }));
    await waitFor(() =>
      expect(api.find('PUT', `/api/stages/${greet.stage_id}`).at(-1)?.body).toEqual({
        allowed_next_stage_ids: null,
      }),
    );

    // The stage's name opens its editor.
    await user.click(within(card('Human')).getByRole('link', { name: 'Human' }));
    expect(await screen.findByText('Stage editor')).toBeInTheDocument();
  });

  it('a viewer reads the flow without edit actions', async () => {
    phone();
    api.me = memberMe([{ role: 'viewer' }]);
    open();
    await screen.findByRole('list', { name: 'Stages and their transitions' });
    const g = card('Greeting');
    expect(within(g).getByRole('switch', { name: 'Any stage may follow Greeting' })).toBeDisabled();
    expect(within(g).queryByRole('button', { name: /Add|Remove/ })).toBeNull();
    expect(within(g).getByRole('link', { name: 'Greeting' })).toHaveAttribute(
      'href',
      `/stages/${greet.stage_id}`,
    );
  });

  it('on a wide screen draws the diagram; a node opens its stage; the list is one click away', async () => {
    vi.stubGlobal(
      'ResizeObserver',
      class {
        observe() {}
        unobserve() {}
        disconnect() {}
      },
    );
    const user = userEvent.setup();
    api.me = memberMe([{ role: 'editor' }]);
    open();
    const node = await screen.findByRole('group', { name: 'Stage Greeting' });
    await waitFor(() => expect(node).toHaveTextContent('Required: E-mail'));
    expect(within(node).getByRole('link', { name: 'Greeting' })).toHaveAttribute(
      'href',
      `/stages/${greet.stage_id}/edit`,
    );
    expect(node).toHaveTextContent('Goal: 1 required field');
    expect(screen.getByRole('group', { name: 'Stage Human' })).toHaveTextContent('hand-off');
    expect(screen.queryByRole('list', { name: 'Stages and their transitions' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'List' }));
    expect(await screen.findByRole('list', { name: 'Stages and their transitions' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Diagram' }));
    // A click only: d3-zoom's mousedown handler needs a real window on the event, which jsdom lacks.
    fireEvent.click(await screen.findByRole('group', { name: 'Stage Booking' }));
    expect(await screen.findByText('Stage editor')).toBeInTheDocument();
  });
});
