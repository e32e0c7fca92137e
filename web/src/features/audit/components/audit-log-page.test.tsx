import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { apiError, BUSINESS_ID, FakeApi, makeAuditEntry } from '@/test/fake-api';
import { renderRoutes, route } from '@/test/render';
import { AuditLogPage } from './audit-log-page';

const LOG = `/api/businesses/${BUSINESS_ID}/audit-log`;

function templateUpdate() {
  const base = {
    template_id: 't-1',
    template_name: 'Greeting reply',
    template_type: 'response_generation',
    system_prompt: 'Be brief.',
    is_default: false,
  };
  return makeAuditEntry({
    entity_type: 'template',
    entity_id: 't-1',
    action: 'update',
    at: '2026-03-12T10:00:00.000Z',
    before: { ...base, content: 'Hello {{user_name}}\nWelcome to {{business_name}}', version: 1 },
    after: { ...base, content: 'Hello {{user_name}}\nWelcome aboard, {{user_name}}', version: 2 },
  });
}

describe('audit log page', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
  });
  const open = (path = '/audit-log') => renderRoutes([route('/audit-log', <AuditLogPage />)], path);

  it('lists who changed what and when', async () => {
    api.auditEntries = [
      templateUpdate(),
      makeAuditEntry({
        entity_type: 'agent',
        action: 'create',
        actor: { type: 'master', id: null, name: 'master key' },
        after: { agent_name: 'Front desk', agent_type: 'ai' },
      }),
    ];
    open();
    const table = await screen.findByRole('table', { name: 'Audit log' });
    const rows = within(table).getAllByRole('row');
    expect(rows[1]).toHaveTextContent(
      /business key.*API key.*Updated.*Template.*Greeting reply.*content, version/,
    );
    expect(within(table).getByRole('link', { name: 'Greeting reply' })).toHaveAttribute(
      'href',
      '/templates/t-1',
    );
    expect(within(table).getByText('Front desk')).toBeInTheDocument();
    expect(within(table).getByText('Master key')).toBeInTheDocument();
  });

  it('shows a field-level diff with a line diff for long texts, unchanged fields folded', async () => {
    const user = userEvent.setup();
    api.auditEntries = [templateUpdate()];
    open();
    await user.click(await screen.findByRole('button', { name: 'Show changes of template Greeting reply' }));
    const changes = await screen.findByRole('region', { name: 'Changes of template Greeting reply' });
    const fields = within(changes).getByRole('table', { name: 'Changed fields' });
    const version = within(fields).getByText('version').closest('tr') as HTMLElement;
    expect(version).toHaveAttribute('data-change', 'changed');
    expect(within(version).getByRole('deletion')).toHaveTextContent('1');
    expect(within(version).getByRole('insertion')).toHaveTextContent('2');

    const content = within(changes).getByRole('region', { name: 'Changes to content' });
    expect(within(content).getByText('Hello {{user_name}}')).not.toHaveRole('deletion');
    expect(within(content).getByRole('deletion')).toHaveTextContent('Welcome to {{business_name}}');
    expect(within(content).getByRole('insertion')).toHaveTextContent('Welcome aboard, {{user_name}}');

    expect(within(fields).queryByText('template_name')).toBeNull();
    await user.click(within(changes).getByRole('button', { name: 'Show 5 unchanged fields' }));
    expect(within(fields).getByText('template_name').closest('tr')).toHaveAttribute('data-change', 'same');
    await user.click(within(changes).getByRole('button', { name: 'Hide unchanged fields' }));
    expect(within(fields).queryByText('template_name')).toBeNull();
  });

  it('shows a created entity’s fields, nested settings by name, and says when nothing public changed', async () => {
    const user = userEvent.setup();
    api.auditEntries = [
      makeAuditEntry({
        entity_type: 'channel',
        entity_id: 'whatsapp',
        action: 'create',
        after: { phone_number_id: '12345', has_access_token: true, connected: true },
      }),
      makeAuditEntry({
        entity_type: 'business',
        entity_id: BUSINESS_ID,
        before: { business_name: 'Acme Bikes', settings: {} },
        after: { business_name: 'Acme Bikes', settings: { history_limit: 7 } },
      }),
      makeAuditEntry({
        entity_type: 'api_key',
        entity_id: null,
        action: 'rotate_key',
        details: { key: 'business key' },
      }),
    ];
    open();
    await user.click(await screen.findByRole('button', { name: 'Show changes of channel WhatsApp' }));
    const channel = await screen.findByRole('region', { name: 'Changes of channel WhatsApp' });
    expect(within(channel).getByRole('columnheader', { name: 'Value' })).toBeInTheDocument();
    expect(within(channel).getByText('phone_number_id').closest('tr')).toHaveTextContent('12345');

    await user.click(screen.getByRole('button', { name: 'Show changes of business Acme Bikes' }));
    const business = await screen.findByRole('region', { name: 'Changes of business Acme Bikes' });
    const limit = within(business).getByText('settings.history_limit').closest('tr') as HTMLElement;
    expect(limit).toHaveAttribute('data-change', 'added');
    expect(within(limit).getByRole('insertion')).toHaveTextContent('7');

    await user.click(screen.getByRole('button', { name: 'Show changes of api key business key' }));
    expect(await screen.findByText(/Nothing public to compare/)).toBeInTheDocument();
  });

  it('keeps the filters in the URL and sends them to the server', async () => {
    const user = userEvent.setup();
    api.auditEntries = [
      templateUpdate(),
      makeAuditEntry({
        entity_type: 'stage',
        after: { stage_name: 'Billing' },
        before: { stage_name: 'Bills' },
      }),
    ];
    const { router } = open('/audit-log?actor=master');
    expect(await screen.findByText('No change matches these filters')).toBeInTheDocument();
    expect(api.find('GET', LOG).at(-1)?.query.get('actor')).toBe('master');

    await user.click(screen.getByRole('combobox', { name: 'Who' }));
    await user.click(await screen.findByRole('option', { name: 'Anyone' }));
    await user.click(screen.getByRole('combobox', { name: 'Entity' }));
    await user.click(await screen.findByRole('option', { name: 'Stage' }));
    await waitFor(() => expect(router.state.location.search).toBe('?entity_type=stage'));
    expect(await screen.findByText('Billing')).toBeInTheDocument();
    expect(screen.queryByText('Greeting reply')).toBeNull();
    const last = api.find('GET', LOG).at(-1);
    expect(last?.query.get('entity_type')).toBe('stage');
    expect(last?.query.has('actor')).toBe(false);

    await user.type(screen.getByLabelText('From'), '2026-03-01');
    await waitFor(() => expect(router.state.location.search).toContain('from=2026-03-01'));
    const from = api.find('GET', LOG).at(-1)?.query.get('from') as string;
    expect(new Date(from).getTime()).toBe(new Date('2026-03-01T00:00:00').getTime());

    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(router.state.location.search).toBe(''));
  });

  it('shows the server’s error with a retry', async () => {
    api.override('GET /api/businesses/:id/audit-log', () =>
      apiError(400, 'VALIDATION_ERROR', 'from must not be after to', { from: 'must not be after to' }),
    );
    open('/audit-log?from=2026-03-02&to=2026-03-01');
    expect(await screen.findByText(/from must not be after to/)).toBeInTheDocument();
  });
});
