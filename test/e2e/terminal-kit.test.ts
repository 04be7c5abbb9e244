/**
 * The integrator's kit, used as a terminal maker would: the built `facekey terminal` CLI as child
 * processes, and `import … from 'facekey/terminal'` (the package's own `exports`, so the compiled
 * dist/). Both pay against a real `facekey serve` on embedded defaults: the enrolled consumer is
 * approved, a different person is declined, refusals come back as typed errors.
 *
 * It runs the compiled code, so dist/ must be current: `npm test` builds first (its `pretest`);
 * run alone, the test refuses a dist/ older than src/ rather than testing stale code.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  FacekeyClientError,
  TerminalClient,
  exportTerminalPrivateKey,
  generateTerminalKeyPair,
  importTerminalPrivateKey,
  registerTerminal,
  type CheckoutResponse,
} from 'facekey/terminal';
import { projectRoot } from '../../src/runtime/project-root.js';
import { DEEPFACE_DIR, deepface, sharedDataMissingReason } from '../shared-data.js';
import { freePort, stopChild, waitUntilReady } from '../kit/child-service.js';

const ROOT = projectRoot();
const BUILT_CLI = path.join(ROOT, 'dist/src/cli/main.js');

/** Every non-test source file has a compiled twin at least as new as itself. */
function staleBuildReason(): string | undefined {
  const stale: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'test-fixtures') walk(file); // excluded from the build (tsconfig.build.json)
      } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) {
        const compiled = path.join(ROOT, 'dist', path.relative(ROOT, file)).replace(/\.ts$/, '.js');
        if (!fs.existsSync(compiled) || fs.statSync(compiled).mtimeMs < fs.statSync(file).mtimeMs) stale.push(path.relative(ROOT, file));
      }
    }
  };
  walk(path.join(ROOT, 'src'));
  return stale.length === 0
    ? undefined
    : `dist/ is older than ${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ', …' : ''}: run \`npm run build\``;
}

interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The built bin, as `npx facekey terminal …` runs it. */
async function facekeyTerminal(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BUILT_CLI, 'terminal', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const skip = sharedDataMissingReason();

test('a terminal pays from the shell (facekey terminal) and from code (facekey/terminal)', { skip, timeout: 600_000 }, async (t) => {
  const stale = staleBuildReason();
  assert.equal(stale, undefined, stale);
  assert.equal(
    fileURLToPath(import.meta.resolve('facekey/terminal')),
    path.join(ROOT, 'dist/src/terminal/index.js'),
    'facekey/terminal resolves through package.json exports to the compiled SDK',
  );

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-terminal-kit-'));
  const logFile = path.join(dir, 'facekey.log');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = fs.openSync(logFile, 'a');
  const service = spawn(process.execPath, [BUILT_CLI, 'serve'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', FACEKEY_DATA_DIR: path.join(dir, 'data'), FACEKEY_PUBLIC_URL: url, FACEKEY_NETWORK_SIM: 'off' },
    stdio: ['ignore', log, log],
  });
  t.after(async () => {
    await stopChild(service);
    fs.closeSync(log);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await waitUntilReady(`${url}/ready`, service, logFile, 120_000);

  // One version, from package.json: what the service's OpenAPI document announces.
  const openapi = (await (await fetch(`${url}/openapi.json`)).json()) as { info: { version: string } };
  const packageVersion = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  assert.equal(openapi.info.version, packageVersion);

  const call = async (method: string, route: string, token: string, body?: unknown) => {
    const response = await fetch(url + route, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  // The merchant and one enrolled consumer with a payment token.
  const operator = fs.readFileSync(path.join(dir, 'data', 'operator.key'), 'utf8').trim();
  const tenant = await call('POST', '/v1/tenants', operator, { name: 'Kit Café' });
  assert.equal(tenant.status, 201, JSON.stringify(tenant.body));
  const adminKey = (await call('POST', `/v1/tenants/${tenant.body.id}/api-keys`, operator, { scopes: ['admin', 'enroll'] })).body
    .token as string;
  const consent = await call('POST', '/v1/consents', adminKey, {
    textVersion: 'eu-2026-11',
    purposes: ['payment'],
    jurisdiction: 'EU',
    deviceId: 'kiosk-1',
  });
  assert.equal(consent.status, 201, JSON.stringify(consent.body));
  const subject = await call('POST', '/v1/subjects', adminKey, { externalRef: 'loyalty-7', consentId: consent.body.id });
  assert.equal(subject.status, 201, JSON.stringify(subject.body));
  const enrolled = await call('POST', `/v1/subjects/${subject.body.id}/templates`, adminKey, {
    image: Buffer.from(deepface('img1.jpg')).toString('base64'),
  });
  assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
  const token = await call('POST', `/v1/subjects/${subject.body.id}/tokens`, adminKey, {
    tokenRef: 'tok_' + randomBytes(18).toString('base64url'),
  });
  assert.equal(token.status, 204, JSON.stringify(token.body));
  // These terminals pay with single photos, which cannot perform a liveness challenge: this merchant
  // keeps face-only approval without a session (off by default; see docs/liveness.md).
  const policy = await call('PUT', '/v1/risk-policy', adminKey, { allowSessionlessLiveness: true });
  assert.equal(policy.status, 200, JSON.stringify(policy.body));

  await t.test('facekey --help names what `npm start` runs, and the terminal command explains itself', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [BUILT_CLI, '--help'], { cwd: ROOT });
    const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
    const started = /main\.js (\w[\w-]*)$/.exec(manifest.scripts.start)?.[1];
    assert.equal(started, 'serve');
    const claims = stdout.split('\n').filter((line) => line.includes('npm start'));
    assert.equal(claims.length, 1, stdout);
    const lines = stdout.split('\n');
    assert.match(lines[lines.indexOf(claims[0]!) - 1]!, new RegExp(`^  facekey ${started}\\b`));
    const help = await facekeyTerminal(['--help']);
    assert.equal(help.code, 0, help.stderr);
    for (const subcommand of ['keygen', 'register', 'checkout']) assert.match(help.stdout, new RegExp(`facekey terminal ${subcommand} --`));
  });

  await t.test('from the shell: keygen, register, checkout', async () => {
    const keyFile = path.join(dir, 'till-1.pem');
    const keygen = await facekeyTerminal(['keygen', '--out', keyFile]);
    assert.equal(keygen.code, 0, keygen.stderr);
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600, 'the private key file is readable by its owner only');
    const publicJwk = JSON.parse(keygen.stdout) as Record<string, string>;
    assert.deepEqual(Object.keys(publicJwk).sort(), ['crv', 'kty', 'x'], 'only the public half is printed');
    const again = await facekeyTerminal(['keygen', '--out', keyFile]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /^facekey terminal: invalid_argument: .*exists; pass --force/);

    const unauthorized = await facekeyTerminal(['register', '--key', keyFile, '--url', url], { FACEKEY_API_KEY: 'fk_nope_nope' });
    assert.equal(unauthorized.code, 1);
    assert.match(unauthorized.stderr.trim(), /^facekey terminal: unauthorized: [^\n]+$/);

    const registered = await facekeyTerminal(['register', '--key', keyFile, '--label', 'till 1', '--url', url, '--json'], {
      FACEKEY_API_KEY: adminKey,
    });
    assert.equal(registered.code, 0, registered.stderr);
    assert.ok(!(registered.stdout + registered.stderr).includes(adminKey), 'the API key is never echoed');
    const terminal = JSON.parse(registered.stdout) as { id: string; kind: string; publicKeyJwk: Record<string, string> };
    assert.equal(terminal.kind, 'checkout');
    assert.deepEqual(terminal.publicKeyJwk, publicJwk);

    const pay = (image: string, merchantRef: string, ...extra: string[]) =>
      facekeyTerminal([
        'checkout',
        ...['--url', url, '--key', keyFile, '--terminal-id', terminal.id, '--amount', '1250', '--currency', 'EUR'],
        ...['--merchant-ref', merchantRef, '--image', path.join(DEEPFACE_DIR, image)],
        ...extra,
      ]);
    const approved = await pay('img2.jpg', 'cli-1', '--json');
    assert.equal(approved.code, 0, approved.stderr);
    const decision = JSON.parse(approved.stdout) as CheckoutResponse;
    assert.equal(decision.outcome, 'approved', JSON.stringify(decision.reasons));
    assert.equal(decision.subjectId, subject.body.id);
    assert.ok(decision.evidence!.score! >= decision.evidence!.threshold);
    assert.equal(decision.evidence!.targetFmr, 1e-5);
    assert.match(decision.assertion!.jws, /^[\w-]+\.[\w-]+\.[\w-]+$/);

    const declined = await pay('img3.jpg', 'cli-2');
    assert.equal(declined.code, 0, declined.stderr);
    assert.match(
      declined.stdout,
      /^declined \(no_match\); (nobody above|score [\d.]+ <) threshold [\d.]+ at target FMR 1e-5 \(faceplugin-arcface /,
    );

    const unknownDevice = await facekeyTerminal([
      'checkout',
      ...['--url', url, '--key', keyFile, '--terminal-id', 'no-such-terminal', '--amount', '1', '--currency', 'EUR'],
      ...['--merchant-ref', 'cli-3', '--image', path.join(DEEPFACE_DIR, 'img2.jpg')],
    ]);
    assert.equal(unknownDevice.code, 1);
    assert.match(unknownDevice.stderr.trim(), /^facekey terminal: device_unknown: [^\n]+$/);
  });

  await t.test("from code: import … from 'facekey/terminal'", async () => {
    const keys = generateTerminalKeyPair();
    // A device stores its key and reads it back at boot.
    const privateKey = importTerminalPrivateKey(exportTerminalPrivateKey(keys.privateKey, 'jwk'));

    await assert.rejects(
      registerTerminal({ baseUrl: url, apiKey: 'fk_nope_nope' }, { label: 'till 2', kind: 'checkout', publicKey: keys.publicJwk }),
      (error: unknown) => error instanceof FacekeyClientError && error.code === 'unauthorized' && error.status === 401,
    );
    const terminal = await registerTerminal(
      { baseUrl: url, apiKey: adminKey },
      { label: 'till 2', kind: 'checkout', publicKey: keys.publicJwk },
    );
    assert.equal(terminal.kind, 'checkout');

    const client = new TerminalClient({ baseUrl: url, terminalId: terminal.id, privateKey });
    const order = { amount: 480, currency: 'EUR', basket: [{ sku: 'espresso', name: 'Espresso', quantity: 1 }] };
    const approved = await client.checkout({ ...order, merchantRef: 'sdk-1', image: deepface('img2.jpg') });
    assert.equal(approved.outcome, 'approved', JSON.stringify(approved.reasons));
    assert.equal(approved.subjectId, subject.body.id);
    assert.equal(approved.evidence?.liveness.method, 'single_frame');

    // A challenge to show the shopper before recording a burst; a photo cannot answer it.
    const session = await client.startLivenessSession();
    assert.match(session.sessionId, /^ls_/);
    assert.ok(session.challenge.length > 0 && Date.parse(session.expiresAt) > Date.now());
    await assert.rejects(
      client.checkout({ ...order, merchantRef: 'sdk-1b', image: deepface('img2.jpg'), livenessSessionId: session.sessionId }),
      (error: unknown) => error instanceof FacekeyClientError && error.code === 'invalid_argument',
    );

    const declined = await client.checkout({ ...order, merchantRef: 'sdk-2', image: deepface('img3.jpg') });
    assert.equal(declined.outcome, 'declined');
    assert.deepEqual(declined.reasons, ['no_match']);
    assert.equal(declined.assertion, undefined);

    // A kiosk may not pay: the service refuses it, and the client reports the service's code.
    const kioskKeys = generateTerminalKeyPair();
    const kiosk = await registerTerminal(
      { baseUrl: url, apiKey: adminKey },
      { label: 'kiosk 1', kind: 'enrollment_kiosk', publicKey: kioskKeys.publicJwk },
    );
    const kioskClient = new TerminalClient({ baseUrl: url, terminalId: kiosk.id, privateKey: kioskKeys.privateKey });
    await assert.rejects(
      kioskClient.checkout({ ...order, merchantRef: 'sdk-3', image: deepface('img2.jpg') }),
      (error: unknown) => error instanceof FacekeyClientError && error.code === 'forbidden' && error.status === 403,
    );
  });
});
