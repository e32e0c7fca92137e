import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeApi, makeAgent } from '@/test/fake-api';
import { renderRoutes, route } from '@/test/render';
import { StageDetailPage } from './stage-detail-page';
import { StageCreatePage, StageEditPage } from './stage-edit-page';

describe('stage editor', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    api.addTemplate({
      template_name: 'Routing v1',
      template_type: 'stage_selection',
      content: 'Pick one of {{available_stages}}',
    });
    api.addTemplate({
      template_name: 'Booking facts',
      template_type: 'data_extraction',
      content: 'Find the date in {{message_content}}',
    });
    api.addTemplate({
      template_name: 'Friendly reply',
      template_type: 'response_generation',
      content: 'Answer kindly: {{message_content}}',
    });
    api.agents.push(makeAgent({ agent_id: 'agent-1', agent_name: 'Sales' }));
  });

  function openNew() {
    return renderRoutes(
      [
        route('/stages/new', <StageCreatePage />),
        route('/stages/:stageId', <StageDetailPage />),
        route('/stages', <p>Stages</p>),
      ],
      '/stages/new',
    );
  }

  async function choose(user: ReturnType<typeof userEvent.setup>, label: RegExp | string, option: string) {
    await user.click(screen.getByRole('combobox', { name: label }));
    await user.click(within(await screen.findByRole('listbox')).getByRole('option', { name: option }));
  }

  it('offers only the templates of each role, previews the choice and creates the stage', async () => {
    const user = userEvent.setup();
    const { router } = openNew();
    await user.type(await screen.findByLabelText(/Stage name/), 'Booking');
    await user.type(screen.getByLabelText(/Stage description/), 'Customer wants an appointment');
    await choose(user, 'Agent', 'Sales');

    await user.click(screen.getByRole('combobox', { name: 'Data extraction template' }));
    const options = within(await screen.findByRole('listbox'))
      .getAllByRole('option')
      .map((o) => o.textContent);
    expect(options).toEqual(['New copy of the default', 'Booking facts']);
    await user.click(screen.getByRole('option', { name: 'Booking facts' }));
    expect(screen.getByLabelText('Data extraction template preview')).toHaveTextContent(
      'Find the date in {{message_content}}',
    );

    await choose(user, 'Response generation template', 'Friendly reply');
    await user.click(screen.getByRole('button', { name: 'Create stage' }));

    await waitFor(() => expect(api.find('POST', '/api/stages')).toHaveLength(1));
    const body = api.find('POST', '/api/stages')[0]?.body as Record<string, unknown>;
    const id = (name: string) => api.templates.find((t) => t.template_name === name)?.template_id;
    expect(body).toMatchObject({
      business_id: api.business.business_id,
      stage_name: 'Booking',
      stage_description: 'Customer wants an appointment',
      agent_id: 'agent-1',
      data_extraction_template_id: id('Booking facts'),
      response_generation_template_id: id('Friendly reply'),
    });
    // Left on "new copy of the default": not sent, so the server makes a fresh copy.
    expect(body).not.toHaveProperty('stage_selection_template_id');
    await waitFor(() => expect(router.state.location.pathname).toBe(`/stages/${api.stages[0]?.stage_id}`));
    expect(await screen.findByRole('heading', { name: 'Booking' })).toBeInTheDocument();
  });

  it('creates a template from the default and selects it', async () => {
    const user = userEvent.setup();
    openNew();
    await user.type(await screen.findByLabelText(/Stage name/), 'Complaint');
    await user.click(screen.getByRole('button', { name: 'Create from default: Data extraction template' }));
    await waitFor(() => expect(api.find('POST', '/api/templates')).toHaveLength(1));
    expect(api.find('POST', '/api/templates')[0]?.body).toMatchObject({
      template_name: 'Complaint – extraction',
      template_type: 'data_extraction',
      content: 'Extract facts from: {{message_content}}',
      system_prompt: 'Answer in JSON.',
    });
    await waitFor(() =>
      expect(screen.getByRole('combobox', { name: 'Data extraction template' })).toHaveTextContent(
        'Complaint – extraction',
      ),
    );
    expect(screen.getByLabelText('Data extraction template preview')).toHaveTextContent(
      'Extract facts from:',
    );
  });

  it('shows the server’s field error next to the stage name', async () => {
    const user = userEvent.setup();
    api.addStage({ stage_name: 'Greeting' });
    openNew();
    await user.type(await screen.findByLabelText(/Stage name/), 'Greeting');
    await user.click(screen.getByRole('button', { name: 'Create stage' }));
    expect(await screen.findByText('already used by another stage')).toBeInTheDocument();
    expect(screen.getByLabelText(/Stage name/)).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('alert')).toHaveTextContent('A stage with this name already exists');
  });

  it('edits an existing stage with its current templates selected', async () => {
    const user = userEvent.setup();
    const stage = api.addStage({ stage_name: 'Order status', stage_description: 'Where is my order' });
    const { router } = renderRoutes(
      [route('/stages/:stageId/edit', <StageEditPage />), route('/stages/:stageId', <StageDetailPage />)],
      `/stages/${stage.stage_id}/edit`,
    );
    expect(await screen.findByRole('combobox', { name: 'Stage selection template' })).toHaveTextContent(
      'Routing v1',
    );
    expect(screen.queryByText('New copy of the default')).not.toBeInTheDocument();
    const handoff = screen.getByRole('checkbox', { name: /Hand off to the team/ });
    expect(handoff).not.toBeChecked();
    await user.click(handoff);
    await user.click(screen.getByRole('button', { name: 'Save stage' }));
    await waitFor(() => expect(api.find('PUT', `/api/stages/${stage.stage_id}`)).toHaveLength(1));
    expect(api.find('PUT', `/api/stages/${stage.stage_id}`)[0]?.body).toMatchObject({
      stage_name: 'Order status',
      stage_selection_template_id: stage.stage_selection_template_id,
      handoff: true,
    });
    await waitFor(() => expect(router.state.location.pathname).toBe(`/stages/${stage.stage_id}`));
  });

  it('picks required and optional fields; a field picked as required is not offered as optional', async () => {
    const user = userEvent.setup();
    api.fields.push(
      { name: 'email', label: 'E-mail', type: 'email', description: '', pii: true },
      { name: 'visit_date', label: 'Visit date', type: 'date', description: '', pii: false },
    );
    const stage = api.addStage({ stage_name: 'Booking' });
    renderRoutes(
      [route('/stages/:stageId/edit', <StageEditPage />), route('/stages/:stageId', <StageDetailPage />)],
      `/stages/${stage.stage_id}/edit`,
    );
    await user.click(await screen.findByRole('combobox', { name: 'Required fields' }));
    await user.click(
      within(await screen.findByRole('listbox')).getByRole('option', { name: 'E-mail (email)' }),
    );
    await user.click(screen.getByRole('combobox', { name: 'Optional fields' }));
    const optional = within(await screen.findByRole('listbox'))
      .getAllByRole('option')
      .map((o) => o.textContent);
    expect(optional).toEqual(['Visit date (visit_date)']);
    await user.click(screen.getByRole('option', { name: 'Visit date (visit_date)' }));
    await user.click(screen.getByRole('button', { name: 'Save stage' }));
    await waitFor(() => expect(api.find('PUT', `/api/stages/${stage.stage_id}`)).toHaveLength(1));
    expect(api.find('PUT', `/api/stages/${stage.stage_id}`)[0]?.body).toMatchObject({
      required_fields: ['email'],
      optional_fields: ['visit_date'],
    });
  });
});
