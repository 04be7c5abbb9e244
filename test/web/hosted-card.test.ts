/**
 * The hosted card fields in Debian's chromium: a kiosk page on another origin frames the network's
 * card page, the card is typed (keyboard only) into the frame, and the kiosk receives only the
 * token reference and last four digits by postMessage.
 */
import test, { type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { launchChromium } from '../kit/browser/launch-chromium.js';
import { startTestSimulator, TEST_PAN } from '../kit/network-test-kit.js';

type TestSimulator = Awaited<ReturnType<typeof startTestSimulator>>;

/**
 * Chromium, the network simulator and a kiosk server on another origin (http://localhost:<port>)
 * answering every request with `kioskHtml`, all closed after the test: the browser first
 * (after-hooks run in the order they are registered), since a server's close waits for its open sockets.
 */
async function browserSimulatorAndKiosk(t: TestContext, kioskHtml: (sim: TestSimulator, kioskOrigin: string) => string) {
  const browser = await launchChromium();
  t.after(() => browser.close());
  const sim = await startTestSimulator();
  t.after(() => sim.close());
  const kiosk = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(kioskHtml(sim, kioskOrigin()));
  });
  const kioskOrigin = () => `http://localhost:${(kiosk.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => kiosk.listen(0, '127.0.0.1', resolve));
  t.after(
    () =>
      new Promise<void>((resolve) => {
        kiosk.close(() => resolve());
        kiosk.closeAllConnections(); // the browser keeps its connection alive
      }),
  );
  return { browser, sim, kioskOrigin: kioskOrigin() };
}

test('hosted card page in chromium: the framing kiosk receives a tok_ reference by postMessage', async (t) => {
  const { browser, sim, kioskOrigin } = await browserSimulatorAndKiosk(
    t,
    (sim, kioskOrigin) => `<!doctype html><html lang="en"><title>kiosk</title>
<iframe title="Card details" src="${sim.url}/hosted/card?origin=${encodeURIComponent(kioskOrigin)}" width="400" height="320"></iframe>
<script>
  window.cardMessages = [];
  window.addEventListener('message', (event) => window.cardMessages.push({ origin: event.origin, data: event.data }));
</script></html>`,
  );

  const page = await browser.newPage();
  await page.goto(kioskOrigin);
  const frame = page.frameLocator('iframe');
  await frame.getByLabel('Card number').waitFor();

  // Keyboard only: focus the number, then Tab through the two selects to the button.
  await frame.getByLabel('Card number').focus();
  await page.keyboard.type(TEST_PAN);
  await page.keyboard.press('Tab');
  await frame.getByLabel('Expiry month').selectOption('12');
  await page.keyboard.press('Tab');
  await frame.getByLabel('Expiry year').selectOption({ index: 5 });
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');

  await page.waitForFunction(() => (window as unknown as { cardMessages: unknown[] }).cardMessages.length > 0, undefined, {
    timeout: 10_000,
  });
  const messages = (await page.evaluate(() => (window as unknown as { cardMessages: unknown[] }).cardMessages)) as Array<{
    origin: string;
    data: { type: string; tokenRef: string; last4: string };
  }>;
  assert.equal(messages.length, 1);
  assert.equal(messages[0]!.origin, new URL(sim.url).origin, 'sent by the network page');
  assert.equal(messages[0]!.data.type, 'facekey.card-token');
  assert.match(messages[0]!.data.tokenRef, /^tok_[A-Za-z0-9_-]+$/);
  assert.equal(messages[0]!.data.last4, TEST_PAN.slice(-4));
  assert.equal(JSON.stringify(messages).includes(TEST_PAN), false, 'the card number never leaves the frame');
  // The token is real: the acquirer side can delete it.
  assert.equal((await sim.request('DELETE', `/v1/tokens/${messages[0]!.data.tokenRef}`)).status, 204);
});

test('hosted card page in chromium: another origin may not frame it', async (t) => {
  // Asks for the page on behalf of a different origin than its own: frame-ancestors refuses.
  const { browser, kioskOrigin } = await browserSimulatorAndKiosk(
    t,
    (sim) =>
      `<!doctype html><iframe title="card" src="${sim.url}/hosted/card?origin=${encodeURIComponent('http://localhost:1')}"></iframe>`,
  );
  const page = await browser.newPage();
  await page.goto(kioskOrigin);
  await page.waitForTimeout(500);
  const framed = page.frames().find((f) => f !== page.mainFrame());
  const labels = framed
    ? await framed
        .locator('label')
        .count()
        .catch(() => 0)
    : 0;
  assert.equal(labels, 0, 'the frame stays empty');
});
