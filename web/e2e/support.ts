import path from 'node:path';
import { expect, type Locator, type Page, test } from '@playwright/test';

/** Set by global-setup.ts: the master key the server was started with. */
export function adminKey(): string {
  const key = process.env.E2E_ADMIN_KEY;
  if (!key)
    throw new Error(
      'E2E_ADMIN_KEY is not set: run the tests with `npx playwright test` (global setup starts the server).',
    );
  return key;
}

/** Saves a full-page screenshot as `test-results/screenshots/<name>.png` (kept as a test artifact). */
export async function shot(page: Page, name: string): Promise<void> {
  const file = path.join(test.info().project.outputDir, 'screenshots', `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
}

export function mainNav(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Main' });
}

export async function openFromNav(page: Page, label: string): Promise<void> {
  await mainNav(page).getByRole('link', { name: label, exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: label, exact: true })).toBeVisible();
}

/**
 * Picks the business in the header's switcher and waits until it shows. Once in CI the option's click
 * right after sign-in left the menu open with the first business still selected; the pick is then
 * tried again rather than failing the test on it.
 */
export async function chooseBusiness(page: Page, name: string): Promise<void> {
  const picker = page.getByRole('combobox', { name: 'Business' });
  await expect(async () => {
    if ((await picker.getAttribute('aria-expanded')) !== 'true') await picker.click({ timeout: 5_000 });
    await page.getByRole('option', { name, exact: true }).click({ timeout: 5_000 });
    await expect(picker).toHaveText(name, { timeout: 5_000 });
  }).toPass({ timeout: 30_000 });
}

/** Signs in with a key on the sign-in page's "API key" tab (the first tab is e-mail + password). */
export async function signIn(page: Page, apiKey: string, businessId?: string): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Sign in to ICMP' })).toBeVisible();
  await page.getByRole('tab', { name: 'API key' }).click();
  await page.getByLabel('Business ID').fill(businessId ?? '');
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Signs in with a team account on the sign-in page's first tab. */
export async function signInWithPassword(page: Page, email: string, password: string): Promise<void> {
  await expect(page.getByRole('heading', { name: 'Sign in to ICMP' })).toBeVisible();
  await page.getByRole('tab', { name: 'E-mail' }).click();
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to ICMP' })).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in$/);
}

/**
 * Appends text at the end of a CodeMirror template editor (found by its accessible name) by typing
 * on the keyboard, as a person would.
 */
export async function appendToEditor(page: Page, editorName: string, text: string): Promise<void> {
  const editor = page.getByRole('textbox', { name: editorName, exact: true });
  await editor.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.press('Enter');
  await page.keyboard.type(text);
}

/** The server the global setup started. */
export const apiBase = () => process.env.E2E_BASE_URL as string;

/** One JSON request to the server's API with a key, as an integration would make it. */
export async function api(method: string, path: string, key: string, body?: unknown) {
  const response = await fetch(`${apiBase()}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status} ${JSON.stringify(json)}`);
  return json;
}
