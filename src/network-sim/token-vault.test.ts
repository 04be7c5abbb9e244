import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startTestSimulator, TEST_PAN } from '../../test/kit/network-test-kit.js';
import { NETWORK_DB_FILE } from './network-store.js';
import { VAULT_KEY_FILE } from './start-network-simulator.js';
import { open } from './vault-cipher.js';

test('tokenizing returns an opaque token and the last four digits, never the card number', async () => {
  const sim = await startTestSimulator();
  try {
    const response = await sim.post('/v1/tokens', { pan: TEST_PAN, expiryMonth: 12, expiryYear: 2099 });
    assert.equal(response.status, 201);
    assert.deepEqual(Object.keys(response.json).sort(), ['last4', 'tokenRef']);
    assert.equal(response.json.last4, '1111');
    assert.match(response.json.tokenRef, /^tok_[A-Za-z0-9_-]{32}$/);
    const second = await sim.tokenize();
    assert.notEqual(second, response.json.tokenRef, 'each tokenization mints a new reference');
  } finally {
    await sim.close();
  }
});

test('the card number never reaches the database files or the log in clear, and is sealed with the vault key', async () => {
  const sim = await startTestSimulator();
  const pan = '5555555555554444';
  try {
    const response = await sim.post('/v1/tokens', { pan, expiryMonth: 1, expiryYear: 2099 });
    assert.equal(response.status, 201);
    const rejected = await sim.post('/v1/tokens', { pan: '5555555555554445', expiryMonth: 1, expiryYear: 2099 });
    assert.equal(rejected.status, 422);

    // Read while the simulator still runs, so the WAL holds the fresh writes.
    const files = readdirSync(sim.dataDir).filter((f) => f.startsWith(NETWORK_DB_FILE));
    assert.ok(files.length >= 1);
    for (const file of files) {
      const bytes = readFileSync(path.join(sim.dataDir, file));
      for (const needle of [pan, '5555555555554445']) {
        assert.equal(bytes.includes(Buffer.from(needle, 'ascii')), false, `${needle} found in ${file}`);
        assert.equal(bytes.includes(Buffer.from(needle, 'utf16le')), false, `${needle} (utf16) found in ${file}`);
      }
    }
    const log = sim.logLines.join('');
    assert.ok(log.length > 0, 'the log was captured');
    assert.equal(log.includes(pan), false);
    assert.equal(log.includes('5555555555554445'), false);

    const keyFile = path.join(sim.dataDir, VAULT_KEY_FILE);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const db = new Database(path.join(sim.dataDir, NETWORK_DB_FILE), { readonly: true });
    try {
      const row = db.prepare('SELECT pan_ciphertext FROM tokens WHERE token_ref = ?').get(response.json.tokenRef) as {
        pan_ciphertext: Buffer;
      };
      const vaultKey = Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'hex');
      assert.equal(open(vaultKey, row.pan_ciphertext, response.json.tokenRef), pan);
      assert.throws(() => open(vaultKey, row.pan_ciphertext, 'tok_other'), /failed authentication/);
    } finally {
      db.close();
    }
  } finally {
    await sim.close();
  }
});

test('an unacceptable card is a 422 invalid_card problem; a malformed body is a 400', async () => {
  const sim = await startTestSimulator();
  try {
    for (const body of [
      { pan: '4111111111111112', expiryMonth: 12, expiryYear: 2099 },
      { pan: '41111111', expiryMonth: 12, expiryYear: 2099 },
      { pan: TEST_PAN, expiryMonth: 1, expiryYear: 2001 },
      { pan: TEST_PAN, expiryMonth: 13, expiryYear: 2099 },
    ]) {
      const response = await sim.post('/v1/tokens', body);
      assert.equal(response.status, 422, JSON.stringify(body));
      assert.equal(response.contentType, 'application/problem+json; charset=utf-8');
      assert.equal(response.json.code, 'invalid_card');
      assert.equal(JSON.stringify(response.json).includes(body.pan), false);
    }
    const extra = await sim.post('/v1/tokens', { pan: TEST_PAN, expiryMonth: 12, expiryYear: 2099, cvv: '123' });
    assert.equal(extra.status, 400);
    assert.equal(extra.json.code, 'invalid_argument');
    const missing = await sim.post('/v1/tokens', { pan: TEST_PAN });
    assert.equal(missing.status, 400);
  } finally {
    await sim.close();
  }
});

test('deleting a token marks it deleted and shreds the sealed number; unknown tokens are 404', async () => {
  const sim = await startTestSimulator();
  try {
    const tokenRef = await sim.tokenize();
    assert.equal((await sim.request('DELETE', `/v1/tokens/${tokenRef}`)).status, 204);
    assert.equal((await sim.request('DELETE', `/v1/tokens/${tokenRef}`)).status, 204, 'deleting again is idempotent');
    const unknown = await sim.request('DELETE', '/v1/tokens/tok_unknown');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.code, 'token_not_found');
    const db = new Database(path.join(sim.dataDir, NETWORK_DB_FILE), { readonly: true });
    try {
      assert.deepEqual(db.prepare('SELECT status, pan_ciphertext FROM tokens WHERE token_ref = ?').get(tokenRef), {
        status: 'deleted',
        pan_ciphertext: null,
      });
    } finally {
      db.close();
    }
  } finally {
    await sim.close();
  }
});

test('a restart on the same directory keeps the vault key and the tokens', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'network-sim-restart-'));
  try {
    const first = await startTestSimulator({ dataDir });
    const keyBefore = readFileSync(path.join(dataDir, VAULT_KEY_FILE), 'utf8');
    const tokenRef = await first.tokenize();
    await first.close();
    const second = await startTestSimulator({ dataDir });
    try {
      assert.equal(readFileSync(path.join(dataDir, VAULT_KEY_FILE), 'utf8'), keyBefore);
      assert.equal((await second.request('DELETE', `/v1/tokens/${tokenRef}`)).status, 204);
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
