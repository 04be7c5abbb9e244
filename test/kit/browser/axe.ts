/**
 * axe-core in a Playwright page: the accessibility check every browser suite runs on every screen.
 * The script is facekey's own copy (node_modules/axe-core), never a CDN.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import type { AxeResults, Result, RunOptions } from 'axe-core';
import { projectRoot } from '../../../src/runtime/project-root.js';

export const AXE_SCRIPT = path.join(projectRoot(), 'node_modules', 'axe-core', 'axe.min.js');

/** The impacts that fail a suite: what blocks or seriously hinders someone using assistive technology. */
export const BLOCKING_IMPACTS = ['serious', 'critical'] as const;

async function injectAxe(page: Page): Promise<void> {
  if (await page.evaluate(() => typeof (window as { axe?: unknown }).axe === 'object')) return;
  try {
    await page.addScriptTag({ path: AXE_SCRIPT });
  } catch {
    // Our pages forbid inline scripts (CSP script-src 'self'), and addScriptTag inlines the file:
    // evaluate it instead, which DevTools runs outside the page's CSP.
  }
  if (await page.evaluate(() => typeof (window as { axe?: unknown }).axe !== 'object')) {
    await page.evaluate(fs.readFileSync(AXE_SCRIPT, 'utf8'));
  }
  if (await page.evaluate(() => typeof (window as { axe?: unknown }).axe !== 'object')) throw new Error('axe-core did not load in the page');
}

/** All of axe's violations on the page as it is now (WCAG 2.x A and AA rules and best practices). */
export async function axeViolations(page: Page, options: RunOptions = {}): Promise<Result[]> {
  await injectAxe(page);
  const results = await page.evaluate(
    async (runOptions) => (await (window as unknown as { axe: { run: (c: Document, o: object) => Promise<AxeResults> } }).axe.run(document, runOptions)),
    options as object,
  );
  return results.violations;
}

/** One line per violation: impact, rule id, what it asks, and the offending nodes. */
export function describeViolations(violations: readonly Result[]): string {
  return violations
    .map((v) => `[${v.impact ?? 'unknown'}] ${v.id}: ${v.help} (${v.helpUrl})\n${v.nodes.map((n) => `    ${n.target.join(' ')}  ${n.html.slice(0, 160)}`).join('\n')}`)
    .join('\n');
}

/** The serious and critical violations on the page (the ones a suite fails on). */
export async function seriousViolations(page: Page, options: RunOptions = {}): Promise<Result[]> {
  return (await axeViolations(page, options)).filter((v) => (BLOCKING_IMPACTS as readonly string[]).includes(v.impact ?? ''));
}

/** Fails, listing them, when the page has serious or critical accessibility violations. */
export async function expectNoSeriousViolations(page: Page, label: string, options: RunOptions = {}): Promise<void> {
  const blocking = await seriousViolations(page, options);
  assert.equal(blocking.length, 0, `${label}: ${blocking.length} serious/critical accessibility violation(s):\n${describeViolations(blocking)}`);
}
