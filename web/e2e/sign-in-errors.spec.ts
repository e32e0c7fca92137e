import { expect, test } from '@playwright/test';
import { adminKey, shot, signIn } from './support';

test.describe('sign-in with a wrong key', () => {
  test('a wrong master key shows a clear error and keeps the visitor signed out', async ({ page }) => {
    await page.goto('/sign-in');
    await signIn(page, `icmp_admin_wrong_${'x'.repeat(24)}`);
    const alert = page.getByRole('alert').filter({ hasText: /not valid/i });
    await expect(alert).toBeVisible();
    await expect(alert).toContainText('The API key is not valid');
    await expect(page.getByText('This key was not accepted.')).toBeVisible();
    await expect(page.getByLabel('API key')).toHaveAttribute('aria-invalid', 'true');
    await expect(page).toHaveURL(/\/sign-in$/);
    await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toHaveCount(0);
    await shot(page, '30-sign-in-wrong-master-key');

    // Nothing was signed in: the app still sends the visitor back to the sign-in page.
    await page.goto('/conversations');
    await expect(page).toHaveURL(/\/sign-in$/);
  });

  test('a real business id with a wrong key shows a clear error', async ({ page, request }) => {
    const created = await request.post('/api/businesses', {
      headers: { Authorization: `Bearer ${adminKey()}` },
      data: { business_name: `E2E Wrong Key ${Date.now().toString(36)}` },
    });
    expect(created.status()).toBe(201);
    const { business_id: businessId, api_key: realKey } = (await created.json()) as {
      business_id: string;
      api_key: string;
    };

    await page.goto('/sign-in');
    await signIn(page, `${realKey}-not-this-one`, businessId);
    const alert = page.getByRole('alert').filter({ hasText: /not valid/i });
    await expect(alert).toBeVisible();
    await expect(alert).toContainText('The business id or API key is not valid');
    await expect(page.getByText('This key was not accepted.')).toBeVisible();
    await expect(page).toHaveURL(/\/sign-in$/);
    await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toHaveCount(0);
    await shot(page, '31-sign-in-wrong-business-key');

    // The right key still works afterwards (the failed attempt changed nothing).
    await signIn(page, realKey, businessId);
    await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();
  });
});
