import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { adminKey, api, appendToEditor, openFromNav, shot, signIn } from './support';

/**
 * Safe changes in one browser session against the real server and the fake LLM: publish the working
 * copy, edit a template in the draft (live traffic does not change), publish it with a note (it does),
 * compare, and restore the first release (live traffic is back to it). The fake LLM's reply quotes
 * the last `"""…"""` line of the prompt, so a template line in triple quotes shows in the answer.
 */
test.describe.configure({ mode: 'serial' });

test.describe('releases', () => {
  const suffix = Date.now().toString(36);
  const businessName = `E2E Releases ${suffix}`;
  const springLine = '"""Ask the customer about our spring menu"""';
  let context: BrowserContext;
  let page: Page;
  let business: { business_id: string; api_key: string };

  /** What a customer gets right now (an integration's POST /api/message: the published configuration). */
  const liveAnswer = async () =>
    (
      await api('POST', '/api/message', business.api_key, {
        business_id: business.business_id,
        content: 'Hello, what do you recommend?',
      })
    ).response as string;

  test.beforeAll(async ({ browser }) => {
    business = await api('POST', '/api/businesses', adminKey(), {
      business_name: businessName,
      business_description: 'A small restaurant.',
    });
    context = await browser.newContext();
    page = await context.newPage();
    await page.goto('/sign-in');
    await signIn(page, business.api_key, business.business_id);
    await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();
  });

  test.afterAll(async () => {
    await context?.close();
  });

  test('publish, edit the draft, publish again, restore', async () => {
    await test.step('nothing is published yet: the working copy answers; publish it', async () => {
      await expect(page.getByRole('link', { name: 'Not published — publish' })).toBeVisible();
      await openFromNav(page, 'Releases');
      await expect(page.getByText(/Not published yet: live traffic uses your working copy/)).toBeVisible();
      await page.getByLabel('Release note').fill('Opening menu');
      await page.getByRole('button', { name: 'Publish', exact: true }).click();
      await expect(page.getByText('Published release 1.')).toBeVisible();
      const row = page.getByTestId('release-1');
      await expect(row).toContainText('Opening menu');
      await expect(row).toContainText('Live');
      expect(await liveAnswer()).not.toContain('spring menu');
    });

    await test.step('edit the response template in the draft: live traffic keeps the release', async () => {
      await openFromNav(page, 'Stages');
      await page.getByRole('link', { name: 'General — response generation', exact: true }).first().click();
      await expect(
        page.getByRole('heading', { level: 1, name: 'General — response generation' }),
      ).toBeVisible();
      await appendToEditor(page, 'Template content', springLine);
      await page.getByRole('button', { name: 'Save template', exact: true }).click();
      await expect(page.getByRole('status').filter({ hasText: 'Saved' })).toBeVisible();
      expect(await liveAnswer()).not.toContain('spring menu');
      await page.getByRole('link', { name: 'Draft changed — publish' }).click();
      await expect(page.getByRole('heading', { level: 1, name: 'Releases' })).toBeVisible();
      const differences = page.getByRole('region', { name: 'Differences' });
      await expect(differences).toContainText('changed');
      await expect(differences).toContainText('spring menu');
      await shot(page, 'releases-draft-changed');
    });

    await test.step('publish with a note: now live traffic answers with the new template', async () => {
      await page.getByLabel('Release note').fill('Spring menu');
      await page.getByRole('button', { name: 'Publish', exact: true }).click();
      await expect(page.getByText('Published release 2.')).toBeVisible();
      await expect(page.getByTestId('release-2')).toContainText('Spring menu');
      await expect(page.getByTestId('release-2')).toContainText('Live');
      await expect.poll(liveAnswer).toContain('spring menu');
    });

    await test.step('restore release 1 (as release 3): live traffic is back to it', async () => {
      await page.getByRole('button', { name: 'Restore release 1' }).click();
      const dialog = page.getByRole('dialog', { name: 'Restore release 1?' });
      await dialog.getByRole('button', { name: 'Restore', exact: true }).click();
      await expect(dialog).toBeHidden();
      const row = page.getByTestId('release-3');
      await expect(row).toContainText('Restores #1');
      await expect(row).toContainText('Live');
      await expect.poll(liveAnswer).not.toContain('spring menu');
      await shot(page, 'releases-restored');
    });
  });
});
