/**
 * Screenshots of browser suites, kept for a person to look at (reports/ is git-ignored): one folder
 * per suite, one file per named screen, overwritten by the next run.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { projectRoot } from '../../../src/runtime/project-root.js';

export const SCREENSHOT_ROOT = path.join(projectRoot(), 'reports', 'screenshots');

const safe = (part: string): string => {
  const cleaned = part.replace(/[^a-zA-Z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  if (!cleaned || cleaned.startsWith('.')) throw new Error(`"${part}" cannot name a screenshot`);
  return cleaned;
};

/** Saves the whole page as reports/screenshots/<suite>/<name>.png; returns the path. */
export async function saveScreenshot(page: Page, suite: string, name: string): Promise<string> {
  const dir = path.join(SCREENSHOT_ROOT, safe(suite));
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${safe(name)}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
