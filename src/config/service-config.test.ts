import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { SERVICE_DEFAULTS, readServiceConfig } from './service-config.js';
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

test('image retention: off by default, an integer number of hours up to 720 when set', () => {
  assert.equal(readServiceConfig({}).imageRetentionHours, 0);
  assert.equal(readServiceConfig({ FACEKEY_IMAGE_RETENTION_HOURS: '' }).imageRetentionHours, 0);
  assert.equal(readServiceConfig({ FACEKEY_IMAGE_RETENTION_HOURS: '0' }).imageRetentionHours, 0);
  assert.equal(readServiceConfig({ FACEKEY_IMAGE_RETENTION_HOURS: '24' }).imageRetentionHours, 24);
  assert.equal(readServiceConfig({ FACEKEY_IMAGE_RETENTION_HOURS: '720' }).imageRetentionHours, 720);
  for (const bad of ['721', '-1', '1.5', '1e2', 'abc', '0x10', '24h']) {
    assert.throws(
      () => readServiceConfig({ FACEKEY_IMAGE_RETENTION_HOURS: bad }),
      {
        name: InvalidArgument.name,
        message: /FACEKEY_IMAGE_RETENTION_HOURS must be an integer from 0 \(no images kept\) to 720/,
      },
      bad,
    );
  }
});

test('engine and workers: FACEKEY_ENGINE among the known engines, FACEKEY_WORKERS a small positive integer', () => {
  const defaults = readServiceConfig({});
  assert.deepEqual([defaults.engine, defaults.workers], [SERVICE_DEFAULTS.engine, undefined]);
  const known = { knownEngines: ['dlib-resnet', 'human-faceres'] };
  const set = readServiceConfig({ FACEKEY_ENGINE: 'human-faceres', FACEKEY_WORKERS: '3' }, known);
  assert.deepEqual([set.engine, set.workers], ['human-faceres', 3]);
  assert.throws(() => readServiceConfig({ FACEKEY_ENGINE: 'arcface' }, known), {
    name: InvalidArgument.name,
    message: /FACEKEY_ENGINE must be one of dlib-resnet, human-faceres, got "arcface"/,
  });
  for (const bad of ['0', '-2', '1.5', 'four', '257']) {
    assert.throws(
      () => readServiceConfig({ FACEKEY_WORKERS: bad }),
      { name: InvalidArgument.name, message: /^FACEKEY_WORKERS must be/ },
      bad,
    );
  }
});

test('FACEKEY_FALLBACK_ENGINES: known engines run beside FACEKEY_ENGINE, deduplicated, never the active one twice', () => {
  assert.equal(readServiceConfig({}).fallbackEngines, undefined, 'unset: the service runs the engines its templates belong to');
  assert.deepEqual(readServiceConfig({ FACEKEY_FALLBACK_ENGINES: '' }).fallbackEngines, [], 'set empty: none');
  const known = { knownEngines: ['dlib-resnet', 'dlib-resnet-tta', 'human-faceres'] };
  const set = readServiceConfig(
    { FACEKEY_ENGINE: 'dlib-resnet-tta', FACEKEY_FALLBACK_ENGINES: ' dlib-resnet, dlib-resnet-tta,dlib-resnet ,' },
    known,
  );
  assert.deepEqual([set.engine, set.fallbackEngines], ['dlib-resnet-tta', ['dlib-resnet']]);
  assert.throws(() => readServiceConfig({ FACEKEY_ENGINE: 'dlib-resnet', FACEKEY_FALLBACK_ENGINES: 'dlib-resnet-tta,arcface' }, known), {
    name: InvalidArgument.name,
    message: /FACEKEY_FALLBACK_ENGINES must name engines among .*got "arcface"/,
  });
});

test('liveness sessions: 120 s by default, never longer than three minutes', () => {
  assert.equal(readServiceConfig({}).livenessSessionSeconds, 120);
  assert.equal(readServiceConfig({ FACEKEY_LIVENESS_SESSION_SECONDS: '180' }).livenessSessionSeconds, 180);
  for (const bad of ['181', '9', '1.5', 'abc']) {
    assert.throws(() => readServiceConfig({ FACEKEY_LIVENESS_SESSION_SECONDS: bad }), InvalidArgument, bad);
  }
});

test('liveness challenge actions: all five unless FACEKEY_LIVENESS_ACTIONS narrows them', () => {
  assert.equal(readServiceConfig({}).livenessActions, undefined);
  assert.deepEqual(readServiceConfig({ FACEKEY_LIVENESS_ACTIONS: ' turn_left, turn_right ,' }).livenessActions, ['turn_left', 'turn_right']);
});

test('card network: an embedded simulator on PORT+1 unless an external URL is named or it is turned off', () => {
  assert.deepEqual(readServiceConfig({}).network, { mode: 'embedded', simulatorPort: 8081, simulatorPortConfigured: false });
  assert.deepEqual(readServiceConfig({ PORT: '9000' }).network, { mode: 'embedded', simulatorPort: 9001, simulatorPortConfigured: false });
  assert.deepEqual(readServiceConfig({ PORT: '0' }).network, { mode: 'embedded', simulatorPort: 0, simulatorPortConfigured: false });
  assert.deepEqual(readServiceConfig({ FACEKEY_NETWORK_SIM_PORT: '7000' }).network, {
    mode: 'embedded',
    simulatorPort: 7000,
    simulatorPortConfigured: true,
  });
  assert.deepEqual(readServiceConfig({ FACEKEY_NETWORK_URL: 'https://network.example/' }).network, {
    mode: 'external',
    url: 'https://network.example',
  });
  assert.deepEqual(readServiceConfig({ FACEKEY_NETWORK_SIM: 'off' }).network, { mode: 'off' });
  assert.throws(() => readServiceConfig({ FACEKEY_NETWORK_SIM: 'maybe' }), InvalidArgument);
  assert.throws(() => readServiceConfig({ FACEKEY_NETWORK_URL: 'ftp://x' }), InvalidArgument);
  assert.throws(() => readServiceConfig({ FACEKEY_NETWORK_SIM_PORT: '70000' }), InvalidArgument);
});

test('fleet broker: a Mosquitto password file and pid file together, only with FACEKEY_MQTT_URL', () => {
  assert.equal(readServiceConfig({}).fleet.mosquittoPasswordFile, undefined);
  const c = readServiceConfig({
    FACEKEY_MQTT_URL: 'mqtt://facekey-service:x@broker:1883',
    FACEKEY_MOSQUITTO_PASSWORD_FILE: '/etc/mosquitto/passwords',
    FACEKEY_MOSQUITTO_PID_FILE: '/run/mosquitto.pid',
  });
  assert.deepEqual([c.fleet.mosquittoPasswordFile, c.fleet.mosquittoPidFile], ['/etc/mosquitto/passwords', '/run/mosquitto.pid']);
  assert.throws(() => readServiceConfig({ FACEKEY_MQTT_URL: 'mqtt://broker', FACEKEY_MOSQUITTO_PASSWORD_FILE: '/p' }), InvalidArgument);
  assert.throws(() => readServiceConfig({ FACEKEY_MOSQUITTO_PASSWORD_FILE: '/p', FACEKEY_MOSQUITTO_PID_FILE: '/q' }), InvalidArgument);
});
