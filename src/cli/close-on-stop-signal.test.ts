import test from 'node:test';
import assert from 'node:assert/strict';
import { closeOnStopSignal } from './close-on-stop-signal.js';

test('closeOnStopSignal closes once on the first SIGTERM and removes its handlers', async () => {
  const before = process.listenerCount('SIGTERM');
  const beforeInt = process.listenerCount('SIGINT');
  let closes = 0;
  const running = closeOnStopSignal(async () => void closes++);
  assert.equal(process.listenerCount('SIGTERM'), before + 1);
  assert.equal(process.listenerCount('SIGINT'), beforeInt + 1);
  process.emit('SIGTERM');
  await running;
  assert.equal(closes, 1);
  assert.equal(process.listenerCount('SIGTERM'), before);
  assert.equal(process.listenerCount('SIGINT'), beforeInt);
});
