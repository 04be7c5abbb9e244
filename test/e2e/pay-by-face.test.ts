/**
 * Pay by face across two real processes over HTTP: `facekey serve` and `facekey network-sim`, each
 * with its own port and its own store. A tenant sets up a signed terminal; a consumer opts in,
 * links a card at the network; a photo alone needs a second factor until the merchant allows
 * face-only approval without a liveness session, a session answered with stills is refused; the
 * consumer pays with a photo; strangers, stills and replays are refused;
 * the consumer opts out; the audit chain verifies and a tampered export is caught; and no card
 * number is found anywhere in facekey's files or logs.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../src/runtime/project-root.js';
import { generateTerminalKeyPair, signTerminalRequest } from '../../src/devices/terminal-client.js';
import { deepface, sharedDataMissingReason } from '../shared-data.js';
import { luhnValid } from '../../src/cards/luhn.js';
import sharp from 'sharp';
import { freePort, stopChild, waitUntilReady } from '../kit/child-service.js';

const CARD_NUMBER = '4111111111111111';

function start(command: string, env: Record<string, string>, logFile: string): ChildProcess {
  const log = fs.openSync(logFile, 'a');
  return spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot(), 'src/cli/main.ts'), command], {
    cwd: projectRoot(),
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
  });
}

/**
 * Card numbers in the bytes (read as latin1, so binary files scan too): the test card anywhere, and
 * any other run of 13–19 digits that starts with a payment-card industry digit (2–6) and passes the
 * Luhn check. Epoch-millisecond timestamps (13 digits starting with 1) and the fractional digits of
 * a number (after a '.') are thereby not cards.
 */
function cardNumbersIn(bytes: Buffer): string[] {
  // Hashes and keys in hex (audit chain, session and code digests) hold long digit runs by chance:
  // about one SHA-256 in a hundred carries a Luhn-valid 13-digit run. They are blanked first; a run
  // of hex of 32 or more characters with a letter in it is a digest, not text around a card number.
  const text = bytes.toString('latin1').replace(/[0-9a-f]{32,}/gi, (token) => (/[a-f]/i.test(token) ? ' ' : token));
  const found = text.includes(CARD_NUMBER) ? [CARD_NUMBER] : [];
  for (const [run] of text.matchAll(/(?<![\d.])[2-6]\d{12,18}(?!\d)/g)) if (run !== CARD_NUMBER && luhnValid(run)) found.push(run);
  return found;
}

test(
  'pay by face end to end: facekey and the network simulator as two processes',
  { skip: sharedDataMissingReason(), timeout: 600_000 },
  async (t) => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-e2e-'));
    const facekeyDir = path.join(root, 'facekey');
    const networkDir = path.join(root, 'network');
    const facekeyLog = path.join(root, 'facekey.log');
    const networkLog = path.join(root, 'network.log');
    const [facekeyPort, networkPort] = [await freePort(), await freePort()];
    const facekeyUrl = `http://127.0.0.1:${facekeyPort}`;
    // The merchant's key at the network simulator (tokens, authorizations, webhooks need it).
    const acquirerKey = 'nsk_' + randomBytes(24).toString('base64url');
    const networkUrl = `http://127.0.0.1:${networkPort}`;

    const facekey = start(
      'serve',
      { PORT: String(facekeyPort), HOST: '127.0.0.1', FACEKEY_DATA_DIR: facekeyDir, FACEKEY_PUBLIC_URL: facekeyUrl, FACEKEY_NETWORK_URL: networkUrl, LOG_LEVEL: 'info' },
      facekeyLog,
    );
    const network = start(
      'network-sim',
      {
        NETWORK_SIM_PORT: String(networkPort),
        NETWORK_SIM_DATA_DIR: networkDir,
        FACEKEY_JWKS_URL: `${facekeyUrl}/.well-known/jwks.json`,
        FACEKEY_ISSUER: facekeyUrl,
        NETWORK_SIM_API_KEY: acquirerKey,
        LOG_LEVEL: 'info',
      },
      networkLog,
    );
    t.after(async () => {
      await Promise.all([stopChild(facekey), stopChild(network)]);
      if (process.env.FACEKEY_KEEP_E2E === undefined) fs.rmSync(root, { recursive: true, force: true });
    });
    await Promise.all([waitUntilReady(`${facekeyUrl}/ready`, facekey, facekeyLog, 90_000), waitUntilReady(`${networkUrl}/health`, network, networkLog, 90_000)]);

    const call = async (base: string, method: string, url: string, token: string | undefined, body?: unknown) => {
      const response = await fetch(base + url, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    };
    const facekeyCall = (method: string, url: string, token: string | undefined, body?: unknown) =>
      call(facekeyUrl, method, url, token, body);

    // The merchant: a tenant, an admin key, a registered checkout terminal with its own Ed25519 key.
    const operator = fs.readFileSync(path.join(facekeyDir, 'operator.key'), 'utf8').trim();
    const tenant = (await facekeyCall('POST', '/v1/tenants', operator, { name: 'Corner Café' })).body;
    const admin = (await facekeyCall('POST', `/v1/tenants/${tenant.id}/api-keys`, operator, { scopes: ['admin'] })).body.token;
    const keys = generateTerminalKeyPair();
    const terminal = await facekeyCall('POST', '/v1/terminals', admin, { label: 'till 1', kind: 'checkout', publicKey: keys.publicJwk });
    assert.equal(terminal.status, 201, JSON.stringify(terminal.body));

    const signedCheckout = (body: unknown) => {
      const json = JSON.stringify(body);
      const headers = { 'content-type': 'application/json' };
      const signed = signTerminalRequest(
        { method: 'POST', url: `${facekeyUrl}/v1/checkout`, headers, body: json },
        { terminalId: terminal.body.id, privateKey: keys.privateKey },
      );
      return { headers: { ...headers, ...signed }, json };
    };
    const send = async (request: { headers: Record<string, string>; json: string }) => {
      const response = await fetch(`${facekeyUrl}/v1/checkout`, { method: 'POST', headers: request.headers, body: request.json });
      return { status: response.status, body: await response.json() };
    };
    const pay = async (probe: Record<string, unknown>, merchantRef: string) =>
      send(
        signedCheckout({
          amount: 1250,
          currency: 'EUR',
          merchantRef,
          ...probe,
          basket: [{ sku: 'flat-white', name: 'Flat white', quantity: 1 }],
        }),
      );
    const b64 = (name: string) => Buffer.from(deepface(name)).toString('base64');

    // The consumer opts in at the kiosk, enrolls, links a card at the network (never through facekey).
    const consent = await facekeyCall('POST', '/v1/consents', admin, {
      textVersion: 'eu-2026-11',
      purposes: ['payment', 'personalization'],
      jurisdiction: 'EU',
      deviceId: 'kiosk-7',
    });
    assert.equal(consent.status, 201, JSON.stringify(consent.body));
    assert.equal(consent.body.textVersion, 'eu-2026-11');
    assert.match(consent.body.textSha256, /^[0-9a-f]{64}$/);
    const subject = (await facekeyCall('POST', '/v1/subjects', admin, { externalRef: 'loyalty-42', consentId: consent.body.id })).body;
    const enrolled = await facekeyCall('POST', `/v1/subjects/${subject.id}/templates`, admin, { image: b64('img1.jpg') });
    assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
    const card = await call(networkUrl, 'POST', '/v1/tokens', acquirerKey, { pan: CARD_NUMBER, expiryMonth: 12, expiryYear: 2031 });
    assert.equal(card.status, 201, JSON.stringify(card.body));
    assert.equal((await facekeyCall('POST', `/v1/subjects/${subject.id}/tokens`, admin, { tokenRef: card.body.tokenRef })).status, 204);

    const startSession = async () => {
      const json = '{}';
      const headers = { 'content-type': 'application/json' };
      const signed = signTerminalRequest(
        { method: 'POST', url: `${facekeyUrl}/v1/liveness-sessions`, headers, body: json },
        { terminalId: terminal.body.id, privateKey: keys.privateKey },
      );
      const response = await fetch(`${facekeyUrl}/v1/liveness-sessions`, {
        method: 'POST',
        headers: { ...headers, ...signed },
        body: json,
      });
      return { status: response.status, body: await response.json() };
    };

    await t.test('by default a face without a liveness session is not enough: a photo alone asks for a second factor', async () => {
      const photoOnly = await pay({ image: b64('img2.jpg') }, 'order-0');
      assert.equal(photoOnly.status, 200, JSON.stringify(photoOnly.body));
      assert.equal(photoOnly.body.outcome, 'second_factor_required');
      assert.deepEqual(photoOnly.body.reasons, ['second_factor_required', 'liveness_session_required']);
      assert.equal(photoOnly.body.assertion, undefined);
    });

    await t.test(
      'a liveness session: a random challenge; stills sent to answer it are refused, and the session is then spent',
      async () => {
        const session = await startSession();
        assert.equal(session.status, 201, JSON.stringify(session.body));
        assert.ok(session.body.challenge.length >= 1);
        assert.ok(Date.parse(session.body.expiresAt) - Date.now() <= 180_000);
        const still = b64('img2.jpg');
        const stills = await pay({ frames: [still, still, still, still, still], livenessSessionId: session.body.sessionId }, 'order-0s');
        assert.equal(stills.body.outcome, 'declined');
        assert.deepEqual(stills.body.reasons, ['spoof_suspected']);
        assert.equal(stills.body.assertion, undefined);
        const again = await pay({ frames: [still, still, still], livenessSessionId: session.body.sessionId }, 'order-0t');
        assert.deepEqual([again.body.outcome, again.body.reasons], ['declined', ['liveness_session_used']]);
      },
    );

    // There is no video of a real person turning and blinking here, so no burst can answer a
    // challenge in this test: the merchant allows face-only approval without a session (a photo),
    // as a tenant may for backward compatibility, and the rest of the story pays with photos.
    assert.equal((await facekeyCall('PUT', '/v1/risk-policy', admin, { allowSessionlessLiveness: true })).status, 200);

    let approvedRequest: { headers: Record<string, string>; json: string };
    await t.test('a same-person photo pays: assertion issued by facekey, verified and approved by the network', async () => {
      approvedRequest = signedCheckout({ amount: 1250, currency: 'EUR', merchantRef: 'order-1', image: b64('img2.jpg') });
      const checkout = await send(approvedRequest);
      assert.equal(checkout.status, 200, JSON.stringify(checkout.body));
      assert.equal(checkout.body.outcome, 'approved', JSON.stringify(checkout.body.reasons));
      assert.ok(checkout.body.evidence.score >= checkout.body.evidence.threshold);
      assert.equal(checkout.body.evidence.targetFmr, 1e-5);
      const authorization = await call(networkUrl, 'POST', '/v1/authorizations', acquirerKey, {
        assertion: checkout.body.assertion.jws,
        amount: 1250,
        currency: 'EUR',
        merchant: tenant.id,
        merchantRef: 'order-1',
      });
      assert.deepEqual(
        { decision: authorization.body.decision, reasons: authorization.body.reasons },
        { decision: 'approved', reasons: [] },
      );
      const again = await call(networkUrl, 'POST', '/v1/authorizations', acquirerKey, {
        assertion: checkout.body.assertion.jws,
        amount: 1250,
        currency: 'EUR',
        merchant: tenant.id,
        merchantRef: 'order-1',
      });
      assert.deepEqual(again.body.reasons, ['assertion_replayed'], 'an assertion is single use');
    });

    await t.test('the personalization purpose returns "your usual?" on the next payment', async () => {
      const checkout = await pay({ image: b64('img2.jpg') }, 'order-2');
      assert.equal(checkout.body.outcome, 'approved');
      const again = await pay({ image: b64('img2.jpg') }, 'order-3');
      assert.equal(again.body.personalization.favourites[0].sku, 'flat-white');
    });

    await t.test('over the tenant risk budget face alone is not enough; the second factor narrows the search and pays', async () => {
      assert.equal((await facekeyCall('PUT', `/v1/subjects/${subject.id}/second-factors/pin`, admin, { value: '2468' })).status, 204);
      assert.equal((await facekeyCall('PUT', '/v1/risk-policy', admin, { riskBudget: 1e-6, allowSessionlessLiveness: true })).status, 200);
      const faceOnly = await pay({ image: b64('img2.jpg') }, 'order-risk-1');
      assert.equal(faceOnly.body.outcome, 'second_factor_required');
      assert.deepEqual(faceOnly.body.reasons, ['second_factor_required', 'risk_budget_exceeded']);
      assert.equal(faceOnly.body.evidence.risk.expectedFalseMatches, faceOnly.body.evidence.risk.templatesSearched * 1e-5);
      const withPin = await pay({ image: b64('img2.jpg'), secondFactor: { kind: 'pin', value: '2468' } }, 'order-risk-2');
      assert.equal(withPin.body.outcome, 'approved', JSON.stringify(withPin.body.reasons));
      assert.equal(decodeJwt(withPin.body.assertion.jws).second_factor, 'pin');
      assert.equal((await facekeyCall('PUT', '/v1/risk-policy', admin, { allowSessionlessLiveness: true })).status, 200);
    });

    await t.test('a different person is declined', async () => {
      const stranger = await pay({ image: b64('img3.jpg') }, 'order-4');
      assert.equal(stranger.status, 200);
      assert.equal(stranger.body.outcome, 'declined');
      assert.deepEqual(stranger.body.reasons, ['no_match']);
      assert.equal(stranger.body.assertion, undefined);
    });

    await t.test('a still photo presented as a burst (no blink, no head motion) is refused as not live', async () => {
      const still = b64('img2.jpg');
      const replayedStill = await pay({ frames: [still, still, still, still, still] }, 'order-5');
      assert.equal(replayedStill.body.outcome, 'declined');
      assert.deepEqual(replayedStill.body.reasons, ['spoof_suspected']);
      assert.equal(replayedStill.body.evidence.liveness.method, 'burst');
      assert.equal(replayedStill.body.evidence.liveness.passed, false);
    });

    await t.test("the issue's attack: [photo, its mirror image, photo] of a turned face is refused, no assertion is made", async () => {
      // img5 is the enrolled person with the head turned a little: its mirror image looks like the head turned the other way.
      const photo = deepface('img5.jpg');
      const mirror = (await sharp(Buffer.from(photo)).flop().jpeg({ quality: 95 }).toBuffer()).toString('base64');
      const still = Buffer.from(photo).toString('base64');
      const attack = await pay({ frames: [still, mirror, still] }, 'order-5m');
      assert.equal(attack.status, 200);
      assert.equal(attack.body.outcome, 'declined');
      assert.deepEqual(attack.body.reasons, ['spoof_suspected']);
      assert.equal(attack.body.evidence.liveness.passed, false);
      assert.ok(attack.body.evidence.liveness.reasons.includes('mirrored_frames'), JSON.stringify(attack.body.evidence.liveness));
      assert.equal(attack.body.assertion, undefined, 'nothing is sent on to the network simulator');
    });

    await t.test('a replayed terminal request is refused', async () => {
      const replay = await send(approvedRequest);
      assert.equal(replay.status, 401);
      assert.equal(replay.body.code, 'replay_detected');
    });

    await t.test('after opting out the consumer can no longer pay', async () => {
      const optOut = await facekeyCall('POST', `/v1/subjects/${subject.id}/opt-out`, admin, {});
      assert.equal(optOut.status, 200, JSON.stringify(optOut.body));
      assert.equal(optOut.body.erasure.templatesErased, 1);
      assert.equal(optOut.body.erasure.tokensUnlinked, 1);
      assert.equal((await facekeyCall('GET', `/v1/subjects/${subject.id}`, admin)).status, 404);
      const after = await pay({ image: b64('img2.jpg') }, 'order-6');
      assert.equal(after.body.outcome, 'declined');
      assert.deepEqual(after.body.reasons, ['no_match']);
    });

    await t.test('the audit chain verifies, and tampering with one entry is detected', async () => {
      // As an auditor would: the CLI in its own process, first against the live database, then offline on an export.
      const exportFile = path.join(root, 'audit.jsonl');
      const audit = async (...args: string[]) => {
        try {
          const { stdout, stderr } = await promisify(execFile)(
            process.execPath,
            ['--import', 'tsx', path.join(projectRoot(), 'src/cli/main.ts'), 'audit', ...args],
            { cwd: projectRoot(), env: { ...process.env, FACEKEY_DATA_DIR: facekeyDir } },
          );
          return { code: 0, output: stdout + stderr };
        } catch (error) {
          const failed = error as { code: number; stdout: string; stderr: string };
          return { code: failed.code, output: failed.stdout + failed.stderr };
        }
      };
      const live = await audit('verify');
      assert.equal(live.code, 0, live.output);
      const exported = await audit('export', '--out', exportFile);
      assert.equal(exported.code, 0, exported.output);
      const entries = fs.readFileSync(exportFile, 'utf8').trim().split('\n');
      const types = entries.map((line) => JSON.parse(line).type as string);
      for (const type of [
        'terminal.registered',
        'consent.granted',
        'subject.created',
        'enrollment',
        'token.linked',
        'checkout',
        'consent.withdrawn',
        'subject.erased',
      ])
        assert.ok(types.includes(type), `no ${type} entry in the audit trail`);
      const offline = await audit('verify', '--file', exportFile);
      assert.equal(offline.code, 0, offline.output);
      assert.match(offline.output, new RegExp(`audit chain ok: ${entries.length} entries`));

      const target = types.indexOf('checkout');
      const tampered = entries.map((line, i) => {
        if (i !== target) return line;
        const entry = JSON.parse(line);
        entry.data.amount = 1;
        return JSON.stringify(entry);
      });
      const tamperedFile = path.join(root, 'audit-tampered.jsonl');
      fs.writeFileSync(tamperedFile, tampered.join('\n') + '\n');
      const broken = await audit('verify', '--file', tamperedFile);
      assert.equal(broken.code, 1, broken.output);
      assert.match(broken.output, new RegExp(`broken at entry #${JSON.parse(entries[target]!).seq} .*altered`));
    });

    await t.test("no card number appears in facekey's database files or logs", async () => {
      const files = [facekeyLog, ...fs.readdirSync(facekeyDir).map((f) => path.join(facekeyDir, f))].filter((f) => fs.statSync(f).isFile());
      assert.ok(files.some((f) => f.endsWith('facekey.sqlite')));
      for (const file of files) assert.deepEqual(cardNumbersIn(fs.readFileSync(file)), [], `card number found in ${path.basename(file)}`);
      // The scan itself works: the network's own log of this run carries no PAN either, but a planted one is found.
      assert.deepEqual(cardNumbersIn(Buffer.from(`x${CARD_NUMBER}y`)), [CARD_NUMBER]);
      assert.deepEqual(cardNumbersIn(Buffer.from(`"4012888888881881"`)), ['4012888888881881'], 'another Luhn-valid number is found too');
      assert.deepEqual(cardNumbersIn(Buffer.from(`e3b0c44298fc1c14${'3811841733360'}9afbf4c8996fb92427ae41e4649b934ca495991b7852b855`)), [], 'not inside a digest');
    });
  },
);
