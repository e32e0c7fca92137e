import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { apiError, FakeApi } from '@/test/fake-api';
import { renderRoutes, route } from '@/test/render';
import { TemplateCreatePage, TemplateEditPage } from './template-edit-page';

function editorContent(label: string): HTMLElement {
  return screen.getByRole('textbox', { name: label });
}

describe('template editor', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
  });

  function openTemplate(content: string, system_prompt = '') {
    const t = api.addTemplate({
      template_name: 'Greeting reply',
      template_type: 'response_generation',
      content,
      system_prompt,
    });
    const view = renderRoutes(
      [route('/templates/:templateId', <TemplateEditPage />), route('/templates', <p>Templates list</p>)],
      `/templates/${t.template_id}`,
    );
    return { t, ...view };
  }

  it('shows the template, highlights variables and warns about unknown ones', async () => {
    openTemplate('Hello {{user_name}}, welcome to {{business_name}}. Order: {{order_number}}');
    expect(await screen.findByRole('heading', { name: 'Greeting reply' })).toBeInTheDocument();
    const content = editorContent('Template content');
    expect(content).toHaveTextContent('Hello {{user_name}}');
    await waitFor(() => expect(content.querySelector('[data-variable="user_name"]')).not.toBeNull());
    expect(content.querySelector('[data-variable="order_number"]')).toHaveClass('cm-tpl-var-unknown');
    expect(content.querySelector('[data-variable="business_name"]')).not.toHaveClass('cm-tpl-var-unknown');
    const warning = await screen.findByText(/Unknown variables:/);
    expect(warning).toHaveTextContent('{{order_number}}');
    expect(warning).not.toHaveTextContent('{{user_name}}');
  });

  it('inserts a variable from the palette and saves the draft with PUT', async () => {
    const user = userEvent.setup();
    const { t } = openTemplate('Hi ');
    const palette = await screen.findByLabelText('Variables');
    await user.click(within(palette).getByRole('button', { name: 'Insert variable conversation_history' }));
    await waitFor(() =>
      expect(editorContent('Template content')).toHaveTextContent('{{conversation_history}}'),
    );
    expect(screen.getByText('Unsaved changes')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Save template' }));
    await waitFor(() => expect(api.find('PUT', `/api/templates/${t.template_id}`)).toHaveLength(1));
    const body = api.find('PUT', `/api/templates/${t.template_id}`)[0]?.body as { content: string };
    expect(body.content).toContain('{{conversation_history}}');
    expect(await screen.findByText('Saved')).toBeInTheDocument();
  });

  it('shows a server field error next to its field', async () => {
    const user = userEvent.setup();
    openTemplate('Hi {{user_name}}');
    api.override('PUT /api/templates/:id', () =>
      apiError(409, 'CONFLICT', 'A template with this name exists', { template_name: 'already used' }),
    );
    const name = await screen.findByLabelText(/Template name/);
    await user.clear(name);
    await user.type(name, 'Other');
    await user.click(screen.getByRole('button', { name: 'Save template' }));
    expect(await screen.findByText('already used')).toBeInTheDocument();
    expect(name).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText('A template with this name exists')).toBeInTheDocument();
  });

  it('renders a live preview of the unsaved draft on the server with sample values', async () => {
    const { t } = openTemplate('Dear {{user_name}}, thanks for writing to {{business_name}}.', 'Be brief.');
    const prompt = await screen.findByLabelText('Rendered prompt');
    await waitFor(() => expect(prompt).toHaveTextContent('Dear Jane Doe, thanks for writing to Acme Bikes.'));
    const call = api.find('POST', `/api/templates/${t.template_id}/render`).at(-1);
    expect(call?.body).toEqual({ variables: { user_name: 'Jane Doe', business_name: 'Acme Bikes' } });
    expect(screen.getByLabelText('Rendered system prompt')).toHaveTextContent('Be brief.');
  });

  it('previews the unsaved draft and sample values typed by the user', async () => {
    const user = userEvent.setup();
    const { t } = openTemplate('Hello {{user_name}}');
    await waitFor(() => expect(screen.getByLabelText('Rendered prompt')).toHaveTextContent('Hello Jane Doe'));
    const palette = screen.getByLabelText('Variables');
    await user.click(within(palette).getByRole('button', { name: 'Insert variable business_name' }));
    const sample = await screen.findByRole('textbox', { name: 'business_name' });
    await user.clear(sample);
    await user.type(sample, 'Velo Lyon');
    await waitFor(() =>
      expect(screen.getByLabelText('Rendered prompt')).toHaveTextContent(/Hello Jane Doe.*Velo Lyon/),
    );
    expect(screen.getByText('Preview of your unsaved draft.')).toBeInTheDocument();
    expect(api.find('POST', `/api/templates/${t.template_id}/render`).at(-1)?.body).toMatchObject({
      content: expect.stringContaining('{{business_name}}'),
      variables: { user_name: 'Jane Doe', business_name: 'Velo Lyon' },
    });
  });

  it('falls back to the saved version when the server cannot render drafts', async () => {
    const user = userEvent.setup();
    const { t } = openTemplate('Hello {{user_name}}');
    await waitFor(() => expect(screen.getByLabelText('Rendered prompt')).toHaveTextContent('Hello Jane Doe'));
    api.override('POST /api/templates/:id/render', (r) =>
      (r.body as { content?: string }).content !== undefined
        ? apiError(400, 'VALIDATION_ERROR', 'Invalid body', { content: 'is not allowed' })
        : new Response(
            JSON.stringify({
              rendered_content: 'SAVED VERSION',
              rendered_system_prompt: '',
              variables_used: [],
              missing_variables: [],
            }),
            {
              headers: { 'Content-Type': 'application/json' },
            },
          ),
    );
    const palette = screen.getByLabelText('Variables');
    await user.click(within(palette).getByRole('button', { name: 'Insert variable business_name' }));
    expect(await screen.findByText(/previews saved templates only/)).toBeInTheDocument();
    expect(screen.getByLabelText('Rendered prompt')).toHaveTextContent('SAVED VERSION');
    expect(screen.queryByText('Invalid body')).toBeNull();
    expect(api.find('POST', `/api/templates/${t.template_id}/render`).at(-1)?.body).not.toHaveProperty(
      'content',
    );
  });

  it('shows version history with a diff and restores a version', async () => {
    const user = userEvent.setup();
    const { t } = openTemplate('line one\nline two');
    api.versions.get(t.template_id)?.push({
      template_id: t.template_id,
      version: 2,
      content: 'line one\nline 2 changed',
      system_prompt: '',
      template_name: 'Greeting reply',
      created_at: new Date().toISOString(),
    });
    await user.click(await screen.findByRole('tab', { name: 'History' }));
    await user.click(await screen.findByRole('button', { name: /Version 1/ }));
    const diff = screen.getByRole('region', { name: 'Diff of version 1' });
    expect(diff).toHaveTextContent('line one');
    await user.click(screen.getByRole('button', { name: /Version 2/ }));
    const diff2 = screen.getByRole('region', { name: 'Diff of version 2' });
    expect(within(diff2).getByText('line 2 changed').tagName).toBe('DEL');
    expect(within(diff2).getByText('line two').tagName).toBe('INS');

    await user.click(screen.getByRole('button', { name: 'Restore version 2' }));
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Restore' }));
    await waitFor(() =>
      expect(api.find('POST', `/api/templates/${t.template_id}/versions/2/restore`)).toHaveLength(1),
    );
    await waitFor(() => expect(editorContent('Template content')).toHaveTextContent('line 2 changed'));
  });

  it('creates a template and opens it', async () => {
    const user = userEvent.setup();
    const { router } = renderRoutes(
      [route('/templates/new', <TemplateCreatePage />), route('/templates/:templateId', <p>Opened</p>)],
      '/templates/new?type=data_extraction',
    );
    await user.type(await screen.findByLabelText(/Template name/), 'Order facts');
    await user.click(screen.getByRole('button', { name: 'Create template' }));
    await waitFor(() => expect(router.state.location.pathname).toMatch(/^\/templates\/0000/));
    expect(api.find('POST', '/api/templates')[0]?.body).toMatchObject({
      template_name: 'Order facts',
      template_type: 'data_extraction',
    });
  });
});
