import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decidePresence, SESSION_ENDED, SESSION_ONLINE, type StoredPresence } from './presence-tracker.js';

const never: StoredPresence = { state: 'offline', reason: 'never_connected', session: null, phase: null };
const onlineIn = (session: number): StoredPresence => ({ state: 'online', reason: 'connected', session, phase: SESSION_ONLINE });

test('a connection goes online, then ends with its goodbye or last will', () => {
  assert.deepEqual(decidePresence(never, { kind: 'online', session: 10 }), {
    state: 'online',
    reason: 'connected',
    session: 10,
    phase: SESSION_ONLINE,
    logged: true,
  });
  assert.deepEqual(decidePresence(onlineIn(10), { kind: 'offline', session: 10, reason: 'connection_lost' }), {
    state: 'offline',
    reason: 'connection_lost',
    session: 10,
    phase: SESSION_ENDED,
    logged: true,
  });
});

test('the last will of an older connection, handled after the next one said online, changes nothing', () => {
  assert.equal(decidePresence(onlineIn(20), { kind: 'offline', session: 10, reason: 'connection_lost' }), undefined);
  // …and an "online" redelivered or handled late changes nothing either.
  assert.equal(decidePresence(onlineIn(20), { kind: 'online', session: 20 }), undefined);
  assert.equal(decidePresence(onlineIn(20), { kind: 'online', session: 10 }), undefined);
  const ended: StoredPresence = { state: 'offline', reason: 'connection_lost', session: 20, phase: SESSION_ENDED };
  assert.equal(decidePresence(ended, { kind: 'online', session: 20 }), undefined);
});

test('a new connection is online even if the previous one’s end was never seen', () => {
  assert.equal(decidePresence(onlineIn(10), { kind: 'online', session: 20 })?.state, 'online');
});

test('any message revives a device timed out for silence, but never a connection that ended', () => {
  const timedOut: StoredPresence = { state: 'offline', reason: 'inactivity_timeout', session: 10, phase: SESSION_ONLINE };
  assert.deepEqual(decidePresence(timedOut, { kind: 'seen' }), {
    state: 'online',
    reason: 'message',
    session: 10,
    phase: SESSION_ONLINE,
    logged: true,
  });
  const lost: StoredPresence = { state: 'offline', reason: 'connection_lost', session: 10, phase: SESSION_ENDED };
  assert.equal(decidePresence(lost, { kind: 'seen' }), undefined);
  assert.equal(decidePresence(never, { kind: 'seen' }), undefined);
  // The last will after a timeout ends the connection without a second offline entry in the log.
  assert.deepEqual(decidePresence(timedOut, { kind: 'offline', session: 10, reason: 'connection_lost' }), {
    ...timedOut,
    phase: SESSION_ENDED,
    logged: false,
  });
  assert.equal(decidePresence({ ...timedOut, phase: SESSION_ENDED }, { kind: 'seen' }), undefined);
});

test('revocation always ends the connection and is logged', () => {
  assert.deepEqual(decidePresence(onlineIn(10), { kind: 'revoked' }), {
    state: 'offline',
    reason: 'revoked',
    session: 10,
    phase: SESSION_ENDED,
    logged: true,
  });
});
