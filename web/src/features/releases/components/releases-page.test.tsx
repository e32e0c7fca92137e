import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { FakeApi, memberMe } from '@/test/fake-api';
import { renderRoutes, route } from '@/test/render';
import { ReleasesPage } from './releases-page';

describe('releases page', () => {
  let api: FakeApi;
  beforeEach(() => {
    api = new FakeApi().install();
  });
  const open = () => renderRoutes([route('/releases', <ReleasesPage />)], '/releases');

  it('before any release: says live traffic uses the working copy; publishing with a note lists release 1', async () => {
    const user = userEvent.setup();
    open();
    expect(
      await screen.findByText(
        'Not published yet: live traffic uses your working copy — publish to freeze it.',
      ),
    ).toBeInTheDocument();
    await user.type(screen.getByLabelText('Release note'), 'First menu');
    await user.click(screen.getByRole('button', { name: 'Publish' }));
    expect(await screen.findByText('Published release 1.')).toBeInTheDocument();
    expect(api.find('POST', `/api/businesses/${api.business.business_id}/releases`)[0]?.body).toEqual({
      note: 'First menu',
    });
    const row = await screen.findByTestId('release-1');
    expect(row).toHaveTextContent(/#1.*Live.*First menu.*Ana Editor/);
    expect(screen.getByText(/The draft is the same as the published release/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Publish' })).toBeDisabled();
  });

  it('restores an earlier release after confirmation and shows the diff of the draft', async () => {
    const user = userEvent.setup();
    api.releases = [
      {
        number: 2,
        note: 'Spring',
        author: { type: 'master', id: null, name: 'master key' },
        created_at: '2026-03-02T10:00:00.000Z',
        content_hash: 'b',
        restored_from: null,
        stage_count: 1,
        template_count: 3,
      },
      {
        number: 1,
        note: 'Opening',
        author: { type: 'master', id: null, name: 'master key' },
        created_at: '2026-03-01T10:00:00.000Z',
        content_hash: 'a',
        restored_from: null,
        stage_count: 1,
        template_count: 3,
      },
    ];
    api.draftChanged = true;
    api.releaseDiff = {
      from: '2',
      to: 'draft',
      changed: true,
      settings: [{ field: 'llm_model', from: null, to: 'gpt-4o-mini' }],
      stages: [],
      templates: [
        {
          template_id: 't-9',
          template_name: 'Greeting reply',
          change: 'changed',
          fields: [{ field: 'content', from: 'Hello', to: 'Hello again' }],
        },
      ],
    };
    open();
    expect(
      await screen.findByText(/Live traffic uses release 2\. The draft has changes/),
    ).toBeInTheDocument();
    const differences = await screen.findByRole('region', { name: 'Differences' });
    expect(differences).toHaveTextContent('llm_model');
    expect(differences).toHaveTextContent('Greeting reply');
    expect(
      within(differences).getByRole('region', { name: 'Template Greeting reply: content' }),
    ).toHaveTextContent('Hello again');
    // The live release has no restore button; an earlier one does, behind a confirmation.
    expect(within(screen.getByTestId('release-2')).queryByRole('button')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Restore release 1' }));
    const dialog = await screen.findByRole('dialog', { name: 'Restore release 1?' });
    expect(api.find('POST', /\/restore$/)).toEqual([]);
    await user.click(within(dialog).getByRole('button', { name: 'Restore' }));
    expect(await screen.findByTestId('release-3')).toHaveTextContent(/Restores #1.*Restored release 1/);
    expect(api.find('POST', `/api/businesses/${api.business.business_id}/releases/1/restore`)).toHaveLength(
      1,
    );
  });

  it('a viewer reads the history but cannot publish or restore, and is told why', async () => {
    api.me = memberMe([{ role: 'viewer' }]);
    api.releases = [
      {
        number: 1,
        note: 'Opening',
        author: { type: 'master', id: null, name: 'master key' },
        created_at: '2026-03-01T10:00:00.000Z',
        content_hash: 'a',
        restored_from: null,
        stage_count: 1,
        template_count: 3,
      },
    ];
    open();
    expect(await screen.findByTestId('release-1')).toHaveTextContent('Opening');
    expect(screen.getByRole('button', { name: 'Publish' })).toBeDisabled();
    expect(screen.getByLabelText('Release note')).toBeDisabled();
    expect(
      screen
        .getByRole('button', { name: 'Publish' })
        .closest('[data-disabled-reason]')
        ?.getAttribute('data-disabled-reason'),
    ).toMatch(/Only editors and owners can do this/);
  });

  it('shows the draft’s last test run next to Publish and warns, without blocking, when cases failed or the draft changed since', async () => {
    const user = userEvent.setup();
    api.lastTestRun = {
      test_run_id: '7a0c1c1e-1111-4e4e-8888-000000000001',
      stage_id: '7a0c1c1e-1111-4e4e-8888-000000000002',
      passed: 3,
      failed: 1,
      total: 4,
      model: null,
      finished_at: '2026-03-02T10:00:00.000Z',
      draft_changed_since: true,
    };
    open();
    const box = await screen.findByTestId('last-test-run');
    expect(box).toHaveTextContent(/3 passed, 1 failed of 4\. 1 test case failed\./);
    expect(box).toHaveTextContent('The draft changed after this run');
    expect(within(box).getByRole('link', { name: 'See the run' })).toHaveAttribute(
      'href',
      '/stages/7a0c1c1e-1111-4e4e-8888-000000000002?tab=tests&run=7a0c1c1e-1111-4e4e-8888-000000000001',
    );
    await user.click(screen.getByRole('button', { name: 'Publish' }));
    expect(await screen.findByText('Published release 1.')).toBeInTheDocument();
  });

  it('says so when the draft has no completed test run', async () => {
    open();
    expect(await screen.findByTestId('last-test-run')).toHaveTextContent('no completed test run');
  });
});
