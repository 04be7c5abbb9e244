import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecentMessageIds } from './recent-message-ids.js';

test('a remembered id is a replay, per device; forgetting a device clears it', () => {
  const ids = new RecentMessageIds();
  assert.equal(ids.admit('a', 'm1', 1000), 'new');
  assert.equal(ids.admit('a', 'm1', 1000), 'replayed');
  assert.equal(ids.admit('b', 'm1', 1000), 'new');
  ids.forget('a');
  assert.equal(ids.admit('a', 'm1', 1000), 'new');
});

test('keeps the last 32 per device and refuses what is older than all of them', () => {
  const ids = new RecentMessageIds();
  for (let i = 0; i < 40; i++) assert.equal(ids.admit('a', `m${i}`, 1000 + i), 'new');
  // m0…m7 were forgotten: a replay of one of them is older than everything remembered.
  assert.equal(ids.admit('a', 'm3', 1003), 'older_than_remembered');
  assert.equal(ids.admit('a', 'm39', 1039), 'replayed');
  // Slightly out of order but within what is remembered: accepted.
  assert.equal(ids.admit('a', 'late', 1020), 'new');
});

test('grows past its first allocation without losing devices', () => {
  const ids = new RecentMessageIds();
  for (let d = 0; d < 5000; d++) ids.admit(`device-${d}`, 'first', 1);
  for (let d = 0; d < 5000; d++) assert.equal(ids.admit(`device-${d}`, 'first', 1), 'replayed');
});
