import { type BrowserContext, expect, type Page, test } from '@playwright/test';
import { expectNoSeriousA11yViolations } from './axe';
import { adminKey, api, chooseBusiness, mainNav, shot, signIn } from './support';

/**
 * Accessibility, checked rather than hoped for: axe-core (WCAG 2 A/AA) on every page of the dashboard
 * with real data (a business with its default stage and templates, one conversation made through
 * POST /api/message), signed in with the master key. No serious or critical violation is allowed;
 * each page's full axe result is left in `test-results/axe/<page>.json`. Then the keyboard-only
 * behaviours axe cannot see: the skip link, focus on the new page's heading, the document titles.
 * Not serial: one page's failure does not hide the others' (a failed test restarts the worker, whose
 * beforeAll makes a fresh business and signs in again).
 */
const suffix = Date.now().toString(36);
const businessName = `A11y Bistro ${suffix}`;
const firstMessage = 'Hello, is there a table for two tonight? My email is ana@example.com';
let business: { business_id: string; api_key: string };
let templateId = '';
let stageId = '';
let conversationId = '';
let context: BrowserContext;
let page: Page;

test.beforeAll(async ({ browser }) => {
  business = await api('POST', '/api/businesses', adminKey(), {
    business_name: businessName,
    business_description: 'A small bistro that takes bookings.',
  });
  const bid = business.business_id;
  templateId = (await api('GET', `/api/templates?business_id=${bid}`, business.api_key)).templates[0]
    .template_id;
  stageId = (await api('GET', `/api/stages?business_id=${bid}`, business.api_key)).stages[0].stage_id;
  const sent = await api('POST', '/api/message', business.api_key, {
    business_id: bid,
    content: firstMessage,
  });
  conversationId = sent.conversation_id;

  context = await browser.newContext();
  page = await context.newPage();
  await page.goto('/sign-in');
  await signIn(page, adminKey());
  await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();
  await chooseBusiness(page, businessName);
});

test.afterAll(async () => {
  await context?.close();
});

/** Opens a page by URL and waits until its heading is there and nothing is loading. */
async function open(url: string, heading: string | RegExp): Promise<void> {
  await page.goto(url);
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
  // The app's loading indicators are progress bars named "Loading…" (see components/loading.tsx).
  await expect(page.getByRole('progressbar', { name: /^(Loading|Checking)/ })).toHaveCount(0);
}

test('the sign-in page', async ({ page: visitor }) => {
  await visitor.goto('/sign-in');
  await expect(visitor.getByRole('heading', { level: 1, name: 'Sign in to ICMP' })).toBeVisible();
  await expectNoSeriousA11yViolations(visitor, 'sign-in');
  await expect(visitor).toHaveTitle('Sign in · ICMP');
});

/** `title`: the page's part of `<Page> · <Business> · ICMP`; `business: false` for a page of no one business. */
const pages: {
  name: string;
  url: () => string;
  heading: string | RegExp;
  title: string | RegExp;
  business?: false;
}[] = [
  { name: 'templates', url: () => '/templates', heading: 'Templates', title: 'Templates' },
  { name: 'template-edit', url: () => `/templates/${templateId}`, heading: /./, title: /^Template: / },
  { name: 'template-new', url: () => '/templates/new', heading: 'New template', title: 'New template' },
  { name: 'stages', url: () => '/stages', heading: 'Stages', title: 'Stages' },
  { name: 'releases', url: () => '/releases', heading: 'Releases', title: 'Releases' },
  { name: 'fields', url: () => '/fields', heading: 'Fields', title: 'Fields' },
  { name: 'stage', url: () => `/stages/${stageId}`, heading: /./, title: /^Stage: / },
  { name: 'stage-edit', url: () => `/stages/${stageId}/edit`, heading: /^Edit /, title: /^Edit stage: / },
  { name: 'stage-flow', url: () => '/stages/flow', heading: 'Stage flow', title: 'Stage flow' },
  {
    name: 'businesses',
    url: () => '/businesses',
    heading: 'Businesses',
    title: 'Businesses',
    business: false,
  },
  { name: 'settings', url: () => '/settings', heading: 'Settings', title: 'Settings' },
  { name: 'members', url: () => '/members', heading: 'Members', title: 'Members' },
  { name: 'api-keys', url: () => '/api-keys', heading: 'API keys', title: 'API keys' },
  { name: 'agents', url: () => '/agents', heading: 'Agents', title: 'Agents' },
  { name: 'channels', url: () => '/channels', heading: 'Channels', title: 'Channels' },
  { name: 'analytics', url: () => '/analytics', heading: 'Analytics', title: 'Analytics' },
  { name: 'audit-log', url: () => '/audit-log', heading: 'Audit log', title: 'Audit log' },
  { name: 'simulator', url: () => '/simulator', heading: 'Simulator', title: 'Simulator' },
];

for (const p of pages) {
  test(`the ${p.name} page`, async () => {
    await open(p.url(), p.heading);
    await expectNoSeriousA11yViolations(page, p.name);
    const title = await page.title();
    const end = p.business === false ? ' · ICMP' : ` · ${businessName} · ICMP`;
    expect(title.endsWith(end), `"${title}" ends with "${end}"`).toBe(true);
    const name = title.slice(0, -end.length);
    if (typeof p.title === 'string') expect(name).toBe(p.title);
    else expect(name).toMatch(p.title);
  });
}

// features/conversations is being rewritten for the live inbox (issue 11); these two check it now
// and after the rewrite.
test('the conversations page', async () => {
  await open('/conversations', 'Conversations');
  // The list is loaded: the conversation made in beforeAll is linked from it.
  await expect(page.locator(`main a[href$="/conversations/${conversationId}"]`).first()).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'conversations');
  await expect(page).toHaveTitle(`Conversations · ${businessName} · ICMP`);
});

test('a conversation page', async () => {
  await open(`/conversations/${conversationId}`, /./);
  await expect(page.getByText(firstMessage, { exact: true })).toBeVisible();
  await expectNoSeriousA11yViolations(page, 'conversation');
  // Whatever the page calls itself, it is a page of this business with its own title.
  expect(await page.title()).toMatch(new RegExp(`^(?!Conversations · ).+ · ${businessName} · ICMP$`));
});

test('the simulator with a turn: the chat log, its turn buttons and the pipeline panel', async () => {
  await open('/simulator', 'Simulator');
  const message = page.getByRole('textbox', { name: 'Message' });
  await message.fill('Hello, I would like a booking for two');
  await message.press('Enter');
  const chat = page.getByRole('log', { name: 'Chat' });
  const turn = chat.getByRole('button', { pressed: true });
  await expect(turn).toContainText('You: Hello, I would like a booking for two');
  await expect(turn).toContainText('Assistant: ');
  await expect(page.getByRole('button', { name: 'Send' })).toBeVisible(); // the reply has ended
  await expectNoSeriousA11yViolations(page, 'simulator-turn');
});

test('a dialog: keyboard only, Escape closes it and focus returns to its opener', async () => {
  await open('/templates', 'Templates');
  await open('/businesses', 'Businesses');
  const opener = page.getByRole('button', { name: 'Create business', exact: true }).first();
  await opener.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Create business' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Business name')).toBeFocused();
  await expectNoSeriousA11yViolations(page, 'create-business-dialog');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
});

test('keyboard: the skip link, focus on the new page heading, a title per page', async () => {
  await open('/stages', 'Stages');
  // First load: focus is not moved; the first Tab reaches the skip link.
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to main content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await shot(page, 'a11y-skip-link');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('main')).toBeFocused();
  // The next Tab is inside the page, not in the navigation.
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => !!document.activeElement?.closest('main'))).toBe(true);

  // Navigating with the keyboard through the nav moves focus to the new page's heading.
  const templatesLink = mainNav(page).getByRole('link', { name: 'Templates', exact: true });
  await templatesLink.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1, name: 'Templates' })).toBeFocused();
  await expect(page).toHaveTitle(`Templates · ${businessName} · ICMP`);

  // The focus ring is drawn for keyboard focus: around a button, inside a nav link (whose drawer
  // would clip a ring drawn outside it).
  const ring = () =>
    page.evaluate(() => {
      const style = getComputedStyle(document.activeElement as HTMLElement);
      return {
        style: style.outlineStyle,
        width: Number.parseFloat(style.outlineWidth),
        offset: Number.parseFloat(style.outlineOffset),
      };
    });
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'New template' })).toBeFocused();
  expect(await ring()).toEqual({ style: 'solid', width: 2, offset: 2 });
  await shot(page, 'a11y-focus-ring');
  // A select keeps MUI's focused border (no second ring).
  await page.keyboard.press('Tab');
  await expect(page.getByRole('combobox', { name: 'Type' })).toBeFocused();
  await shot(page, 'a11y-focus-select');
  await mainNav(page).getByRole('link', { name: 'Stages', exact: true }).focus();
  await page.keyboard.press('Tab');
  await expect(templatesLink).toBeFocused();
  expect(await ring()).toEqual({ style: 'solid', width: 2, offset: -2 });
  await shot(page, 'a11y-focus-nav');
});

test('phone: the navigation drawer opens and closes by keyboard, and focus returns to the menu button', async ({
  browser,
}) => {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const p = await phone.newPage();
  try {
    await p.goto('/sign-in');
    await signIn(p, adminKey());
    await expect(p.getByRole('heading', { level: 1, name: 'Conversations' })).toBeVisible();
    const menu = p.getByRole('button', { name: 'Open navigation' });
    await menu.focus();
    await p.keyboard.press('Enter');
    const nav = p.getByRole('navigation', { name: 'Main' });
    await expect(nav).toBeVisible();
    await expectNoSeriousA11yViolations(p, 'phone-navigation');
    await p.keyboard.press('Escape');
    await expect(nav).toBeHidden();
    await expect(menu).toBeFocused();
    // Following a link closes the drawer and lands on the new page's heading.
    await p.keyboard.press('Enter');
    await nav.getByRole('link', { name: 'Stages', exact: true }).focus();
    await p.keyboard.press('Enter');
    await expect(p.getByRole('heading', { level: 1, name: 'Stages' })).toBeFocused();
    await expect(nav).toBeHidden();
  } finally {
    await phone.close();
  }
});

test('dark colour scheme: the same checks on a few pages', async ({ browser }) => {
  const dark = await browser.newContext({ colorScheme: 'dark' });
  const p = await dark.newPage();
  try {
    await p.goto('/sign-in');
    await expect(p.getByRole('heading', { level: 1, name: 'Sign in to ICMP' })).toBeVisible();
    await expectNoSeriousA11yViolations(p, 'dark-sign-in');
    await signIn(p, adminKey());
    await chooseBusiness(p, businessName);
    for (const [name, url, heading] of [
      ['dark-templates', '/templates', 'Templates'],
      ['dark-stage-edit', `/stages/${stageId}/edit`, /^Edit /],
      ['dark-settings', '/settings', 'Settings'],
      ['dark-channels', '/channels', 'Channels'],
    ] as const) {
      await p.goto(url);
      await expect(p.getByRole('heading', { level: 1, name: heading })).toBeVisible();
      await expect(p.getByRole('progressbar', { name: /^(Loading|Checking)/ })).toHaveCount(0);
      await expectNoSeriousA11yViolations(p, name);
    }
  } finally {
    await dark.close();
  }
});

test('dark colour scheme: the conversations list and a conversation', async ({ browser }) => {
  const dark = await browser.newContext({ colorScheme: 'dark' });
  const p = await dark.newPage();
  try {
    await p.goto('/sign-in');
    await signIn(p, adminKey());
    await chooseBusiness(p, businessName);
    await p.goto('/conversations');
    await expect(p.locator(`main a[href$="/conversations/${conversationId}"]`).first()).toBeVisible();
    await expectNoSeriousA11yViolations(p, 'dark-conversations');
    await p.goto(`/conversations/${conversationId}`);
    await expect(p.getByText(firstMessage, { exact: true })).toBeVisible();
    await expectNoSeriousA11yViolations(p, 'dark-conversation');
  } finally {
    await dark.close();
  }
});
