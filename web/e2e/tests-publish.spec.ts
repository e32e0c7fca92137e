import { expect, test } from '@playwright/test';
import { adminKey, api, appendToEditor, shot, signIn } from './support';

/**
 * Prompt changes without fear (issue 15), end to end against the real server and the fake LLM (which
 * routes to the stage the last `"""…"""` text of the selection prompt names): a template edited in
 * the draft breaks a stage's golden test, the Tests tab says why, the Releases page warns, the
 * author fixes the template, the run passes, the draft is published with a note, and the previous
 * release is restored.
 */
test('edit a template in the draft, see its test fail with the reason, fix it, publish with a note, restore', async ({
  page,
}) => {
  const suffix = Date.now().toString(36);
  const business = await api('POST', '/api/businesses', adminKey(), {
    business_name: `Fearless Trattoria ${suffix}`,
    business_description: 'Italian restaurant.',
  });
  const key = business.api_key as string;
  await api('POST', '/api/stages', key, {
    business_id: business.business_id,
    stage_name: 'Booking',
    stage_description: 'Table reservations',
    stage_type: 'conversation',
  });
  const stages = await api('GET', `/api/stages?business_id=${business.business_id}`, key);
  const booking = stages.stages.find((s: { stage_name: string }) => s.stage_name === 'Booking');
  await api('POST', '/api/test-cases', key, {
    business_id: business.business_id,
    stage_id: business.first_stage_id,
    name: 'booking request goes to Booking',
    message: 'I would like a booking for two tonight',
    expectations: { stage: { mode: 'exactly', stage_id: booking.stage_id } },
  });
  await api('POST', `/api/businesses/${business.business_id}/releases`, key, { note: 'Opening' });
  const general = await api('GET', `/api/stages/${business.first_stage_id}`, key);

  await page.goto('/sign-in');
  await signIn(page, key, business.business_id);
  await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();

  const runTests = async (summary: string) => {
    await page.goto(`/stages/${business.first_stage_id}`);
    await page.getByRole('tab', { name: 'Tests' }).click();
    await expect(page.getByRole('table', { name: 'Test cases' })).toContainText(
      'booking request goes to Booking',
    );
    await page.getByRole('button', { name: 'Run tests', exact: true }).click();
    const results = page.getByRole('region', { name: 'Run results' });
    await expect(results).toContainText('Run completed', { timeout: 60_000 });
    await expect(results).toContainText(summary);
    return results;
  };
  const editSelectionTemplate = async (line: string) => {
    await page.goto(`/templates/${general.stage_selection_template_id}`);
    await appendToEditor(page, 'Template content', line);
    await page.getByRole('button', { name: 'Save template', exact: true }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
  };

  await test.step('edit the selection template in the draft: the stage’s test fails and says why', async () => {
    await editSelectionTemplate('"""Stay in General"""');
    const results = await runTests('0 of 1 passed');
    await expect(results).toContainText('expected Booking, selected General');
    await shot(page, 'tests-publish-01-failed');
  });

  await test.step('the Releases page shows the failed run and warns, the draft changed', async () => {
    await page.goto('/releases');
    const last = page.getByTestId('last-test-run');
    await expect(last).toContainText('0 passed, 1 failed of 1');
    await expect(last).toContainText('1 test case failed.');
    await expect(page.getByRole('button', { name: 'Publish', exact: true })).toBeEnabled();
    await shot(page, 'tests-publish-02-warning');
    // The link opens the run on the stage's Tests tab.
    await last.getByRole('link', { name: 'See the run' }).click();
    await expect(page.getByRole('region', { name: 'Run results' })).toContainText(
      'expected Booking, selected General',
    );
  });

  await test.step('fix the template: the run passes and Publish has nothing to warn about', async () => {
    await editSelectionTemplate('"""The customer wants Booking"""');
    await runTests('1 of 1 passed');
    await page.goto('/releases');
    const last = page.getByTestId('last-test-run');
    await expect(last).toContainText('1 passed, 0 failed of 1');
    await expect(last).not.toContainText('failed.');
    await expect(last).not.toContainText('The draft changed after this run');
  });

  await test.step('publish with a note, then restore the previous release', async () => {
    await page.getByLabel('Release note').fill('Booking routing fixed');
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect(page.getByText('Published release 2.')).toBeVisible();
    await expect(page.getByTestId('release-2')).toContainText('Booking routing fixed');
    await page.getByRole('button', { name: 'Restore release 1' }).click();
    const dialog = page.getByRole('dialog', { name: 'Restore release 1?' });
    await dialog.getByRole('button', { name: 'Restore', exact: true }).click();
    await expect(dialog).toBeHidden();
    const row = page.getByTestId('release-3');
    await expect(row).toContainText('Restores #1');
    await expect(row).toContainText('Live');
    // The draft is release 1 again: the run was of another draft, which the page says.
    await expect(page.getByTestId('last-test-run')).toContainText('The draft changed after this run');
    await shot(page, 'tests-publish-03-restored');
    const template = await api('GET', `/api/templates/${general.stage_selection_template_id}`, key);
    expect(template.content).not.toContain('Stay in General');
  });
});
