import { expect, test } from '@playwright/test';
import { adminKey, api, openFromNav, shot, signIn } from './support';

/**
 * Golden tests (issue 15) in the browser against the real server and the fake LLM (which routes to
 * the stage the last quoted text of the prompt names): a simulator turn becomes a test with "Add as
 * test", the stage's Tests tab runs it (passes), the selection template is broken, and the next run
 * fails with its reason.
 */
test('a test made from a simulator turn passes, then fails with its reason when the selection template breaks', async ({
  page,
}) => {
  const suffix = Date.now().toString(36);
  const business = await api('POST', '/api/businesses', adminKey(), {
    business_name: `Golden Trattoria ${suffix}`,
    business_description: 'Italian restaurant.',
  });
  await api('POST', '/api/stages', business.api_key, {
    business_id: business.business_id,
    stage_name: 'Booking',
    stage_description: 'Table reservations',
    stage_type: 'conversation',
  });
  const message = 'I would like a booking for two tonight';

  await page.goto('/sign-in');
  await signIn(page, business.api_key, business.business_id);
  await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();

  await test.step('a simulator turn becomes a test case', async () => {
    await openFromNav(page, 'Simulator');
    await page.getByLabel('Message').fill(message);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(page.getByRole('log', { name: 'Chat' })).toContainText('Thanks for your message', {
      timeout: 30_000,
    });
    await page.getByRole('button', { name: 'Add as test', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'New test case' });
    await expect(dialog.getByLabel('New customer message')).toHaveValue(message);
    await expect(dialog.getByLabel('Selected stage')).toContainText('Exactly');
    await shot(page, 'golden-01-add-as-test');
    await dialog.getByRole('button', { name: 'Save test', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByRole('button', { name: 'Test added', exact: true })).toBeVisible();
  });

  const results = page.getByRole('region', { name: 'Run results' });
  await test.step('the stage’s Tests tab runs it: it passes', async () => {
    await page.goto(`/stages/${business.first_stage_id}`);
    await page.getByRole('tab', { name: 'Tests' }).click();
    await expect(page.getByRole('table', { name: 'Test cases' })).toContainText(message);
    await page.getByRole('button', { name: 'Run tests', exact: true }).click();
    await expect(results).toContainText('Run completed', { timeout: 60_000 });
    await expect(results).toContainText('1 of 1 passed');
    await shot(page, 'golden-02-run-passed');
  });

  await test.step('the selection template breaks: the next run fails and says why', async () => {
    const stage = await api('GET', `/api/stages/${business.first_stage_id}`, business.api_key);
    const template = await api(
      'GET',
      `/api/templates/${stage.stage_selection_template_id}`,
      business.api_key,
    );
    await api('PATCH', `/api/templates/${template.template_id}`, business.api_key, {
      content: `${template.content}\n"""Stay in General"""`,
    });
    await page.getByRole('button', { name: 'Run tests', exact: true }).click();
    await expect(results).toContainText('Run completed', { timeout: 60_000 });
    await expect(results).toContainText('0 of 1 passed');
    await expect(results).toContainText('expected Booking, selected General');
    await results.getByRole('button', { name: /fail/ }).first().click();
    await expect(results).toContainText('Stay in General');
    await shot(page, 'golden-03-run-failed');
  });
});
