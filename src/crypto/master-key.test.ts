import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { KeyMaterialRejected } from './crypto-errors.js';
import { loadOrCreateMasterKey } from './master-key.js';

const root = mkdtempSync(join(tmpdir(), 'facekey-master-key-'));
after(() => rmSync(root, { recursive: true, force: true }));

const posixOnly = { skip: process.platform === 'win32' ? 'POSIX permission bits' : false };

describe('loadOrCreateMasterKey', () => {
  it('takes a configured hex key without touching the key file', () => {
    const hex = 'ab'.repeat(32);
    const keyFile = join(root, 'unused', 'master.key');
    assert.deepEqual(loadOrCreateMasterKey({ keyHex: hex, keyFile }), Buffer.from(hex, 'hex'));
    assert.throws(() => statSync(keyFile), /ENOENT/);
  });

  it('rejects a configured key of the wrong length or alphabet', () => {
    const keyFile = join(root, 'unused', 'master.key');
    assert.throws(() => loadOrCreateMasterKey({ keyHex: 'ab'.repeat(16), keyFile }), KeyMaterialRejected);
    assert.throws(() => loadOrCreateMasterKey({ keyHex: 'zz'.repeat(32), keyFile }), KeyMaterialRejected);
  });

  it('creates a 0600 key file (and its directory) on first use, then reads the same key back', posixOnly, () => {
    const keyFile = join(root, 'nested', 'dir', 'master.key');
    const created = loadOrCreateMasterKey({ keyFile });
    assert.equal(created.length, 32);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    assert.match(readFileSync(keyFile, 'utf8'), /^[0-9a-f]{64}\n$/);
    assert.deepEqual(loadOrCreateMasterKey({ keyFile }), created);
  });

  it('refuses a key file readable by group or others', posixOnly, () => {
    const keyFile = join(root, 'loose.key');
    writeFileSync(keyFile, 'cd'.repeat(32), { mode: 0o600 });
    chmodSync(keyFile, 0o640);
    assert.throws(() => loadOrCreateMasterKey({ keyFile }), KeyMaterialRejected);
    chmodSync(keyFile, 0o604);
    assert.throws(() => loadOrCreateMasterKey({ keyFile }), KeyMaterialRejected);
    chmodSync(keyFile, 0o600);
    assert.deepEqual(loadOrCreateMasterKey({ keyFile }), Buffer.from('cd'.repeat(32), 'hex'));
  });

  it('refuses a key file of the wrong length and never overwrites it', () => {
    const keyFile = join(root, 'short.key');
    writeFileSync(keyFile, 'cd'.repeat(16), { mode: 0o600 });
    assert.throws(() => loadOrCreateMasterKey({ keyFile }), KeyMaterialRejected);
    assert.equal(readFileSync(keyFile, 'utf8'), 'cd'.repeat(16));
  });
});
