import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readServiceConfig } from './service-config.js';
import { InvalidArgument } from '../errors/domain-errors.js';

test('embedded defaults: port 8080, ./data, SQLite', () => {
  const c = readServiceConfig({});
  assert.equal(c.port, 8080);
  assert.equal(c.dataDir, path.resolve('./data'));
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.masterKeyHex, undefined);
});

test('environment overrides and validation', () => {
  const c = readServiceConfig({ PORT: '9000', DATABASE_URL: 'postgres://x/y', FACEKEY_DATA_DIR: '/tmp/fk' });
  assert.equal(c.port, 9000);
  assert.equal(c.databaseUrl, 'postgres://x/y');
  assert.equal(c.dataDir, '/tmp/fk');
  assert.throws(() => readServiceConfig({ PORT: 'eighty' }), InvalidArgument);
  assert.throws(() => readServiceConfig({ FACEKEY_MASTER_KEY: 'abc' }), InvalidArgument);
});
