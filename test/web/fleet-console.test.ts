/**
 * The console's fleet page in Chromium against the built service (`npm run build`): an admin creates
 * a claim on the page and sees its secret once; a temperature scanner registers with it over HTTP and
 * connects to the broker (the fleet's own device client) → the page counts it online, lists it with
 * its site, tags and reported engine, filters by tag, shows its twin and connection log → a job made
 * on the page runs on the device and its counts show; a finished job offers no cancel → a fever alert
 * from the scanner gets its secondary-check outcome recorded → the claim is revoked. Every screen gets
 * an axe check and a screenshot (reports/screenshots/fleet-console/).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { builtServiceMissingReason, serveFacekey, type ServedFacekey, type TenantAdmin } from '../kit/browser/serve-facekey.js';
import { launchChromium } from '../kit/browser/launch-chromium.js';
import { expectNoSeriousViolations } from '../kit/browser/axe.js';
import { saveScreenshot } from '../kit/browser/screenshots.js';
import { FleetDeviceClient, newDeviceKeys, registrationFor } from '../../src/fleet/fleet-device-client.js';
import type { ProvisionedDevice } from '../../src/fleet/fleet-provisioning.js';

const SUITE = 'fleet-console';
const skip = builtServiceMissingReason({ web: true });
const ENGINE = { id: 'dlib-resnet', version: '2.1.0' };

let served: ServedFacekey;
let admin: TenantAdmin;
let browser: Browser;
let scanner: FleetDeviceClient | undefined;

async function checkPage(page: Page, name: string): Promise<void> {
  await saveScreenshot(page, SUITE, name);
  await expectNoSeriousViolations(page, name);
}

/** Waits until `read` (run in the page) returns true, re-clicking `refresh` between tries: the page loads on demand. */
async function untilShown(page: Page, refresh: string, selector: string, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (await page.$(selector)) return;
    if (Date.now() > deadline) throw new Error(`the fleet page never showed ${what} (${selector})`);
    await page.click(refresh);
    await page.waitForTimeout(250);
  }
}

before(async () => {
  if (skip) return;
  served = await serveFacekey();
  admin = await served.createTenant('fleet console shop');
  browser = await launchChromium();
});

after(async () => {
  scanner?.drop();
  await browser?.close().catch(() => undefined);
  await served?.close();
});

test('the console fleet page: claim, a device online with its twin, a job with its counts, a fever outcome', { skip, timeout: 5 * 60_000 }, async () => {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await page.goto(`${served.url}/console`);
  await page.fill('[data-testid=api-key]', admin.adminKey);
  await page.click('[data-testid=sign-in]');
  await page.click('[data-testid=nav-fleet]');
  await page.waitForSelector('[data-testid=page-fleet] [data-testid=fleet-counts]');
  assert.ok(await page.$('[data-testid=fleet-devices-empty]'), 'a new tenant has no device');
  assert.equal(await page.textContent('[data-testid=fleet-online-temperature_scanner]'), '0');
  await checkPage(page, 'fleet-1-empty');

  // A claim made on the page; its secret is shown once.
  await page.selectOption('[data-testid=fleet-claim-kind]', 'temperature_scanner');
  await page.fill('[data-testid=fleet-claim-site]', 'gate-2');
  await page.fill('[data-testid=fleet-claim-tags]', 'pilot, lobby');
  await page.fill('[data-testid=fleet-claim-uses]', '2');
  await page.click('[data-testid=fleet-claim-create]');
  const token = (await (await page.waitForSelector('[data-testid=fleet-claim-secret]')).textContent())!.trim();
  assert.match(token, /^fkc_/);
  await page.waitForSelector('[data-testid=fleet-claims] tbody tr');
  assert.match((await page.textContent('[data-testid=fleet-claims] tbody tr'))!, /0 \/ 2/);
  await checkPage(page, 'fleet-2-claim');

  // The scanner registers with the claim and connects with what it was given; it reports its engine.
  const keys = newDeviceKeys();
  const provisioned = await served.call<ProvisionedDevice>('POST', '/v1/fleet/registrations', undefined, registrationFor(token, keys, 'gate 2 scanner'));
  scanner = new FleetDeviceClient(provisioned, keys);
  scanner.onJob((notice) => {
    if (notice.action === 'run') void scanner!.publish('jobs', { jobId: notice.jobId, status: 'succeeded' });
  });
  await scanner.connect();
  await scanner.publish('twin/reported', { state: { engine: ENGINE, temperatureThresholdC: 37.5 } });
  const row = `[data-testid=fleet-devices] tr[data-device-id="${provisioned.device.id}"]`;
  await untilShown(page, '[data-testid=fleet-refresh]', `${row}[data-presence=online]`, 'the device online');
  await untilShown(page, '[data-testid=fleet-refresh]', `${row} [data-testid=fleet-device-engine]:has-text("${ENGINE.version}")`, 'its reported engine');
  assert.equal(await page.textContent('[data-testid=fleet-online-temperature_scanner]'), '1');
  assert.equal(await page.textContent('[data-testid=fleet-offline-temperature_scanner]'), '0');
  const cells = await page.$$eval(`${row} td`, (tds) => tds.map((td) => td.textContent?.trim() ?? ''));
  assert.deepEqual(cells.slice(1, 5), ['Temperature scanner', 'gate-2', 'pilot, lobby', 'Online']);

  // The filter goes to the API: a tag the device lacks hides it, its own shows it.
  await page.fill('[data-testid=fleet-filter-tag]', 'elsewhere');
  await page.click('[data-testid=fleet-filter-apply]');
  await page.waitForSelector('[data-testid=fleet-devices-empty]');
  await page.fill('[data-testid=fleet-filter-tag]', 'lobby');
  await page.selectOption('[data-testid=fleet-filter-kind]', 'temperature_scanner');
  await page.click('[data-testid=fleet-filter-apply]');
  await page.waitForSelector(row);

  // Its twin and connection log; the twin is shown, not edited, on this page.
  await page.click(`${row} [data-testid=fleet-device-open]`);
  await page.waitForSelector('[data-testid=fleet-device-detail] [data-testid=fleet-connection-log] tbody tr');
  const reported = JSON.parse((await page.textContent('[data-testid=fleet-twin-reported]'))!) as Record<string, unknown>;
  assert.deepEqual(reported.engine, ENGINE);
  assert.equal(await page.getAttribute('[data-testid=fleet-twin]', 'data-reported-version'), '1');
  assert.match((await page.textContent('[data-testid=fleet-connection-log] tbody'))!, /Online/);
  assert.equal(await page.$$eval('[data-testid=fleet-device-detail] textarea, [data-testid=fleet-device-detail] input', (els) => els.length), 0);
  await checkPage(page, 'fleet-3-device');

  // A job from the page: it runs on the scanner, its counts and status show, and a finished job offers no cancel.
  await page.fill('[data-testid=fleet-job-engine-id]', ENGINE.id);
  await page.fill('[data-testid=fleet-job-engine-version]', '2.2.0');
  await page.fill('[data-testid=fleet-job-tag]', 'pilot');
  await page.fill('[data-testid=fleet-job-phases]', '1');
  await page.fill('[data-testid=fleet-job-threshold]', '50');
  await page.click('[data-testid=fleet-job-create]');
  await page.waitForSelector('[data-testid=fleet-jobs] tbody tr');
  const job = '[data-testid=fleet-jobs] tbody tr';
  await untilShown(page, '[data-testid=fleet-jobs-refresh]', `${job}[data-status=completed]`, 'the job completed');
  assert.equal(await page.getAttribute(`${job} [data-testid=fleet-job-count-succeeded]`, 'data-count'), '1');
  assert.equal(await page.getAttribute(`${job} [data-testid=fleet-job-count-failed]`, 'data-count'), '0');
  assert.equal(await page.$(`${job} [data-testid=fleet-job-cancel]`), null, 'a completed job cannot be canceled');
  assert.equal(await page.$(`${job} [data-testid=fleet-job-retry]`), null, 'nothing failed, nothing to retry');
  await checkPage(page, 'fleet-4-job');

  // A continuous job stays open and can be completed from the page.
  await page.selectOption('[data-testid=fleet-job-mode]', 'continuous');
  await page.fill('[data-testid=fleet-job-tag]', 'not-installed-yet');
  await page.click('[data-testid=fleet-job-create]');
  const continuous = '[data-testid=fleet-jobs] tbody tr:first-child';
  await page.waitForSelector(`${continuous}[data-status=in_progress] [data-testid=fleet-job-complete]`);
  await page.click(`${continuous} [data-testid=fleet-job-complete]`);
  await page.waitForSelector(`${continuous}[data-status=completed]`);

  // A fever alert from the scanner; the secondary check is recorded on the page.
  await scanner.publish('telemetry', { type: 'temperature', eventId: randomUUID(), temperature: 38.4, unit: 'C', abnormal: true, alarmThreshold: 37.5, faces: 1 });
  const alert = '[data-testid=fleet-fever-alerts] tbody tr';
  await untilShown(page, '[data-testid=fleet-fever-refresh]', `${alert}[data-outcome=""]`, 'the fever alert');
  assert.match((await page.textContent(alert))!, /38\.4 °C/);
  await checkPage(page, 'fleet-5-fever');
  await page.click(`${alert} [data-testid=fleet-fever-cleared]`);
  await page.waitForSelector(`${alert}[data-outcome=cleared] [data-testid=fleet-fever-outcome]`);
  assert.match((await page.textContent(alert))!, /erased/, 'the temperature value is gone once the outcome is recorded');
  assert.equal(await page.$(`${alert} [data-testid=fleet-fever-confirmed_fever]`), null, 'no second outcome');

  // The claim is revoked from the page; its row then offers nothing more.
  await page.click('[data-testid=fleet-claims] [data-testid=fleet-claim-revoke]');
  await page.waitForSelector('[data-testid=fleet-claims] tbody tr:not(:has([data-testid=fleet-claim-revoke]))');
  assert.match((await page.textContent('[data-testid=fleet-claims] tbody tr'))!, /Revoked/);
  assert.match((await page.textContent('[data-testid=fleet-claims] tbody tr'))!, /1 \/ 2/);
  await checkPage(page, 'fleet-6-done');
  const refused = await fetch(`${served.url}/v1/fleet/registrations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(registrationFor(token, newDeviceKeys())),
  });
  assert.equal(refused.status, 403, 'the revoked claim registers no more devices');
});
