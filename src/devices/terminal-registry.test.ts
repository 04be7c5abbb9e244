import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, it } from 'node:test';
import { InvalidArgument } from '../errors/domain-errors.js';
import { forEachDialect } from '../../test/kit/test-databases.js';
import { migrateDevices } from './device-migrations.js';
import { NonceStore } from './nonce-store.js';
import { generateTerminalKeyPair } from './terminal-client.js';
import { TerminalRegistry, type TerminalKind } from './terminal-registry.js';

forEachDialect('TerminalRegistry and NonceStore', (database) => {
  let time = new Date('2026-03-01T10:00:00.000Z');
  const clock = () => time;
  let registry: TerminalRegistry;
  let nonces: NonceStore;

  before(async () => {
    await migrateDevices(database());
    await migrateDevices(database()); // a second process starting finds the work done
    registry = new TerminalRegistry(database(), clock);
    nonces = new NonceStore(database(), clock);
  });

  const register = (tenantId: string, label = 'Till 1', kind: TerminalKind = 'checkout') =>
    registry.register(tenantId, { label, kind, publicKey: generateTerminalKeyPair().publicJwk });

  it('registers a terminal and reads it back with its public JWK', async () => {
    const { publicJwk } = generateTerminalKeyPair();
    const terminal = await registry.register('tenant-a', { label: 'Till 1', kind: 'checkout', publicKey: publicJwk });
    assert.deepEqual(terminal, {
      id: terminal.id,
      tenantId: 'tenant-a',
      label: 'Till 1',
      kind: 'checkout',
      publicKeyJwk: publicJwk,
      createdAt: '2026-03-01T10:00:00.000Z',
      revokedAt: null,
      lastSeenAt: null,
    });
    assert.deepEqual(await registry.get(terminal.id), terminal);
    assert.equal(await registry.get(randomUUID()), undefined);
  });

  it('refuses an invalid key, an unknown kind and an empty label', async () => {
    await assert.rejects(
      registry.register('tenant-a', { label: 'x', kind: 'checkout', publicKey: { kty: 'RSA', n: 'AQAB' } }),
      InvalidArgument,
    );
    await assert.rejects(
      registry.register('tenant-a', { label: 'x', kind: 'vending' as TerminalKind, publicKey: generateTerminalKeyPair().publicJwk }),
      InvalidArgument,
    );
    await assert.rejects(register('tenant-a', '  '), InvalidArgument);
  });

  it('remembers its last verified request to the minute', async () => {
    const terminal = await register('tenant-seen');
    await registry.seen(terminal.id);
    assert.equal((await registry.get(terminal.id))?.lastSeenAt, time.toISOString());
    const first = time;
    time = new Date(first.getTime() + 30_000);
    await registry.seen(terminal.id);
    assert.equal((await registry.get(terminal.id))?.lastSeenAt, first.toISOString(), 'within the minute: no write');
    time = new Date(first.getTime() + 61_000);
    await registry.seen(terminal.id);
    assert.equal((await registry.get(terminal.id))?.lastSeenAt, time.toISOString());
    time = first;
  });

  it("lists only the tenant's own terminals, oldest first", async () => {
    const tenant = randomUUID();
    time = new Date('2026-03-01T11:00:00.000Z');
    const first = await register(tenant, 'Door', 'enrollment_kiosk');
    time = new Date('2026-03-01T11:00:01.000Z');
    const second = await register(tenant, 'Lobby', 'temperature_scanner');
    await register(randomUUID());
    assert.deepEqual(
      (await registry.list(tenant)).map((t) => t.id),
      [first.id, second.id],
    );
    assert.deepEqual(await registry.list(randomUUID()), []);
  });

  it("revokes once, keeping the first time, and treats another tenant's terminal as not found", async () => {
    const terminal = await register('tenant-r');
    assert.equal(await registry.revoke('tenant-other', terminal.id), undefined);
    assert.equal((await registry.get(terminal.id))?.revokedAt, null);
    time = new Date('2026-03-02T00:00:00.000Z');
    assert.equal((await registry.revoke('tenant-r', terminal.id))?.revokedAt, '2026-03-02T00:00:00.000Z');
    time = new Date('2026-03-03T00:00:00.000Z');
    assert.equal((await registry.revoke('tenant-r', terminal.id))?.revokedAt, '2026-03-02T00:00:00.000Z');
    assert.equal(await registry.revoke('tenant-r', randomUUID()), undefined);
  });

  it('claims a nonce once per terminal', async () => {
    time = new Date('2026-03-01T12:00:00.000Z');
    const expiresAt = new Date('2026-03-01T12:01:00.000Z');
    assert.equal(await nonces.claim('t1', 'nonce-aaaaaaaaaaaaaaaa', expiresAt), true);
    assert.equal(await nonces.claim('t1', 'nonce-aaaaaaaaaaaaaaaa', expiresAt), false);
    assert.equal(await nonces.claim('t2', 'nonce-aaaaaaaaaaaaaaaa', expiresAt), true);
  });

  it('lets exactly one of many concurrent claims of one nonce win', async () => {
    time = new Date('2026-03-01T12:00:00.000Z');
    const results = await Promise.all(
      Array.from({ length: 12 }, () => nonces.claim('t-concurrent', 'nonce-bbbbbbbbbbbbbbbb', new Date('2026-03-01T12:01:00.000Z'))),
    );
    assert.equal(results.filter(Boolean).length, 1);
  });

  it('takes over a nonce whose expiry has passed even before it is purged', async () => {
    time = new Date('2026-03-01T12:00:00.000Z');
    assert.equal(await nonces.claim('t3', 'nonce-cccccccccccccccc', new Date('2026-03-01T12:01:00.000Z')), true);
    time = new Date('2026-03-01T12:02:00.000Z');
    assert.equal(await nonces.claim('t3', 'nonce-cccccccccccccccc', new Date('2026-03-01T12:03:00.000Z')), true);
    assert.equal(await nonces.claim('t3', 'nonce-cccccccccccccccc', new Date('2026-03-01T12:03:00.000Z')), false);
  });

  it('purges only expired nonces', async () => {
    time = new Date('2026-04-01T00:00:00.000Z');
    await nonces.claim('t4', 'nonce-old-dddddddddddd', new Date('2026-04-01T00:00:30.000Z'));
    await nonces.claim('t4', 'nonce-new-dddddddddddd', new Date('2026-04-01T00:05:00.000Z'));
    const purged = await nonces.purgeExpired(new Date('2026-04-01T00:01:00.000Z'));
    assert.ok(purged >= 1);
    const left = await database().all<{ nonce: string }>('SELECT nonce FROM used_nonces WHERE terminal_id = ? ORDER BY nonce', ['t4']);
    assert.deepEqual(
      left.map((r) => r.nonce),
      ['nonce-new-dddddddddddd'],
    );
  });
});
