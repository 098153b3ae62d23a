/**
 * @module Checks a browser test runs on every page: axe-core's accessibility rules (contrast among them), no
 * sideways scrolling, every navigation link in sight, a field's problem shown beside it.
 */
import { createRequire } from 'node:module';
import type { Locator, Page } from 'playwright-core';

const require = createRequire(import.meta.url);
/** axe-core's browser bundle, as text: evaluated in the page (through the debugger, so the CSP stays on). */
const axeSource = (require('axe-core') as { source: string }).source;

export interface AxeFinding {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  /** Where, and for contrast what was measured. */
  readonly nodes: readonly { readonly target: string; readonly summary: string }[];
}

// Code that runs in the page is written as text: the server's tsconfig, which checks these tests, has no DOM types.

/** The serious and critical violations axe-core finds in the page as it is now (every rule axe runs by default). */
export async function seriousAxeViolations(page: Page): Promise<AxeFinding[]> {
  const loaded = await page.evaluate<boolean>("typeof window.axe !== 'undefined'");
  if (!loaded) await page.evaluate(axeSource);
  const violations = await page.evaluate<AxeFinding[]>(`(async () => {
    const result = await window.axe.run(document);
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String).join(' '), summary: n.failureSummary || '' })),
    }));
  })()`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** How far the page scrolls sideways: 0 when it fits the viewport's width. */
export async function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate<number>(
    '(document.scrollingElement || document.documentElement).scrollWidth - (document.scrollingElement || document.documentElement).clientWidth',
  );
}

/**
 * The main navigation's links that are not wholly inside the viewport, or hidden: none should be, on a phone
 * as on a desktop (a link scrolled out of sight in the bar is a link nobody finds).
 */
export async function navLinksOutOfSight(page: Page): Promise<string[]> {
  await page.evaluate('window.scrollTo(0, 0)');
  const width = page.viewportSize()?.width ?? 0;
  const height = page.viewportSize()?.height ?? 0;
  const out: string[] = [];
  for (const link of await page.getByRole('navigation', { name: 'Main' }).getByRole('link').all()) {
    const name = (await link.textContent()) ?? '';
    const box = await link.boundingBox();
    const visible = await link.isVisible();
    if (
      !visible ||
      box === null ||
      box.x < 0 ||
      box.y < 0 ||
      box.x + box.width > width ||
      box.y + box.height > height
    ) {
      out.push(name);
    }
  }
  return out;
}

/** The problem shown beside the field labelled `label`: its text, and whether the input names it for screen readers. */
export async function problemBeside(
  scope: Page | Locator,
  label: string | RegExp,
): Promise<{ text: string; describes: boolean; invalid: boolean }> {
  const input = scope.getByLabel(label, { exact: typeof label === 'string' });
  const field = input.locator('xpath=ancestor::div[contains(concat(" ", @class, " "), " field ")][1]');
  const problem = field.getByTestId('field-error');
  await problem.waitFor();
  const id = (await problem.getAttribute('id')) ?? '';
  const describedBy = ((await input.getAttribute('aria-describedby')) ?? '').split(' ');
  return {
    text: (await problem.textContent()) ?? '',
    describes: id !== '' && describedBy.includes(id),
    invalid: (await input.getAttribute('aria-invalid')) === 'true',
  };
}

/** Whether the element lies wholly inside the viewport's width (on a phone: nothing to scroll sideways for). */
export async function withinViewportWidth(page: Page, element: Locator): Promise<boolean> {
  const box = await element.boundingBox();
  const width = page.viewportSize()?.width ?? 0;
  return box !== null && box.x >= 0 && box.x + box.width <= width;
}
