import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { InvalidArgument } from '../errors/domain-errors.js';
import { readNetworkSimConfig } from './network-sim-config.js';

test('defaults: loopback on 8090, its own data directory, a local facekey, a 5000.00 limit', () => {
  assert.deepEqual(readNetworkSimConfig({}), {
    port: 8090,
    host: '127.0.0.1',
    dataDir: path.resolve('./data/network-sim'),
    jwksUrl: 'http://127.0.0.1:8080/.well-known/jwks.json',
    issuer: 'http://127.0.0.1:8080',
    cardLimit: 500_000,
    logLevel: 'info',
    cardPageOrigins: ['http://127.0.0.1:8080'],
  });
  assert.deepEqual(
    readNetworkSimConfig({ NETWORK_SIM_CARD_PAGE_ORIGINS: 'https://a.example, https://b.example' }).cardPageOrigins,
    ['https://a.example', 'https://b.example'],
  );
});

test('environment overrides', () => {
  const config = readNetworkSimConfig({
    NETWORK_SIM_PORT: '9100',
    NETWORK_SIM_HOST: '0.0.0.0',
    NETWORK_SIM_DATA_DIR: '/var/lib/network-sim',
    FACEKEY_JWKS_URL: 'https://facekey.example/.well-known/jwks.json',
    FACEKEY_ISSUER: 'https://facekey.example',
    NETWORK_SIM_CARD_LIMIT: '1000',
  });
  assert.equal(config.port, 9100);
  assert.equal(config.host, '0.0.0.0');
  assert.equal(config.dataDir, '/var/lib/network-sim');
  assert.equal(config.jwksUrl, 'https://facekey.example/.well-known/jwks.json');
  assert.equal(config.issuer, 'https://facekey.example');
  assert.equal(config.cardLimit, 1000);
});

test('invalid values are refused at start', () => {
  for (const env of [
    { NETWORK_SIM_PORT: '70000' },
    { NETWORK_SIM_PORT: 'http' },
    { NETWORK_SIM_CARD_LIMIT: '-1' },
    { NETWORK_SIM_CARD_LIMIT: '12.5' },
    { FACEKEY_JWKS_URL: 'jwks.json' },
  ]) {
    assert.throws(() => readNetworkSimConfig(env), InvalidArgument, JSON.stringify(env));
  }
});
