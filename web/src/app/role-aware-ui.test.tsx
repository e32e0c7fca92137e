import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { InboxPage } from '@/features/conversations/components/inbox-page';
import { TemplateEditPage } from '@/features/templates/components/template-edit-page';
import type { MemberRole } from '@/lib/api/models';
import { FakeApi, makeConversation, memberMe } from '@/test/fake-api';
import { renderRoutes } from '@/test/render';
import { AppShell } from './app-shell';

/** The shell and a few real pages, as each role sees them (the server refuses the same things: 403). */
describe('role-aware UI', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
    api.conversations.push(
      makeConversation({ conversation_id: 'conv-1', user_id: 'user-1', user_name: 'Jane' }),
    );
  });

  function open(role: MemberRole, path: string) {
    api.me = memberMe([{ role }, { role: 'owner', business_name: 'Side project' }]);
    const template = api.templates[0];
    return renderRoutes(
      [
        {
          element: <AppShell />,
          children: [
            { path: '/', element: <p>Home</p> },
            { path: '/templates/:templateId', element: <TemplateEditPage /> },
            { path: '/conversations/:conversationId', element: <InboxPage /> },
          ],
        },
      ],
      path.replace(':template', template?.template_id ?? ''),
    );
  }

  // jsdom is a narrow screen: the navigation is in the drawer the menu button opens.
  const navLabels = async () => {
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Open navigation' }));
    const nav = await screen.findByRole('navigation', { name: 'Main' });
    await within(nav).findByRole('link', { name: 'Conversations' });
    const labels = within(nav)
      .getAllByRole('link')
      .map((a) => a.textContent);
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('navigation', { name: 'Main' })).not.toBeInTheDocument());
    return labels;
  };

  it('an owner sees members, API keys and channels; the account page is there for every account', async () => {
    open('owner', '/');
    expect(await navLabels()).toEqual([
      'Conversations',
      'Analytics',
      'Simulator',
      'Stages',
      'Templates',
      'Fields',
      'Releases',
      'Agents',
      'Channels',
      'Settings',
      'Canned replies',
      'Audit log',
      'Members',
      'API keys',
      'Account',
    ]);
  });

  it('an agent sees no owner pages and no simulator, and the switcher lists the memberships with roles', async () => {
    const user = userEvent.setup();
    open('agent', '/');
    expect(await navLabels()).toEqual([
      'Conversations',
      'Analytics',
      'Stages',
      'Templates',
      'Fields',
      'Releases',
      'Agents',
      'Settings',
      'Canned replies',
      'Account',
    ]);
    await user.click(screen.getByRole('combobox', { name: /Business/ }));
    expect(await screen.findByRole('option', { name: 'Acme Bikes (agent)' })).toBeInTheDocument();
    await user.click(screen.getByRole('option', { name: 'Side project (owner)' }));
    expect(await navLabels()).toContain('Members');
  });

  it('an agent reads a template but cannot save it, and is told why', async () => {
    open('agent', '/templates/:template');
    expect(
      await screen.findByText(/Read only: Only editors and owners can do this; your role here is agent\./),
    ).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save template' })).toBeDisabled();
    expect(screen.queryByRole('button', { name: 'Delete template' })).not.toBeInTheDocument();
  });

  it('an agent can answer a conversation and take it over, but not delete it', async () => {
    open('agent', '/conversations/conv-1');
    expect(await screen.findByRole('button', { name: 'Send' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Take over' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'More actions' })).not.toBeInTheDocument();
  });

  it("a viewer reads the conversation with no reply box, and the reason instead (and no agents' notes)", async () => {
    open('viewer', '/conversations/conv-1');
    expect(
      await screen.findByText(
        'Replying is not available: Only agents, editors and owners can do this; your role here is viewer.',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Send' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Take over' })).not.toBeInTheDocument();
    // Notes are for agents, editors and owners (api.md): a viewer's screen does not ask for them.
    expect(api.find('GET', /\/notes$/)).toEqual([]);
  });

  it('every page of a business at its LLM budget says so; who can edit settings gets a way to raise it', async () => {
    api.business = { ...api.business, settings: { llm_budget_usd: 5 } };
    api.llmSpentUsd = 5;
    const first = open('owner', '/');
    const banner = await screen.findByText(/has spent its monthly LLM budget/);
    expect(banner).toHaveTextContent('Customers are answered by the offline engine');
    expect(screen.getByRole('link', { name: 'Raise the budget' })).toHaveAttribute(
      'href',
      '/settings#llm-budget',
    );
    first.unmount();

    open('agent', '/');
    expect(await screen.findByText(/An owner or editor can raise the budget/)).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Raise the budget' })).not.toBeInTheDocument();
  });
});
