import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';

/** The WCAG 2.0/2.1/2.2 A and AA rules (axe's tags). */
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const BLOCKING = new Set(['serious', 'critical']);

/**
 * Runs axe-core on the page as it is now and fails on any `serious` or `critical` WCAG 2 A/AA
 * violation, listing each with its rule, impact and the selectors of the offending elements. The
 * whole result (passes and minor findings too) is attached to the test as `axe-<name>.json` and
 * written to `test-results/axe/<name>.json`, so a run leaves the evidence behind.
 */
export async function expectNoSeriousA11yViolations(page: Page, name: string): Promise<void> {
  // MUI transitions (dialogs, menus, ripples) change colours while they run: let them settle. (No
  // `networkidle`: the live pages hold an event stream open.)
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.evaluate(
    () => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))),
  );
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();

  const json = JSON.stringify(results, null, 2);
  const dir = path.join(test.info().project.outputDir, 'axe');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), json);
  await test.info().attach(`axe-${name}.json`, { body: json, contentType: 'application/json' });

  const blocking = results.violations.filter((v) => v.impact && BLOCKING.has(v.impact));
  // One line per offending element: "[impact] rule-id: selector — what to fix".
  const report = blocking.flatMap((v) =>
    v.nodes.map(
      (n) =>
        `[${v.impact}] ${v.id}: ${n.target.join(' ')} — ${v.help}; ${(n.failureSummary ?? '').replace(/\s+/g, ' ')}`,
    ),
  );
  expect(
    report,
    `axe: serious/critical violations on "${name}" (${page.url()}), see axe/${name}.json`,
  ).toEqual([]);
}
