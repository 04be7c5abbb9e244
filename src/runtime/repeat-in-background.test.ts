import test from 'node:test';
import assert from 'node:assert/strict';
import { repeatInBackground } from './repeat-in-background.js';

test('repeatInBackground runs the task on its interval, passes failures on, keeps going, and stops', async () => {
  let runs = 0;
  const errors: unknown[] = [];
  const stop = repeatInBackground(
    5,
    async () => {
      runs += 1;
      if (runs === 1) throw new Error('first run fails');
    },
    (error) => errors.push(error),
  );
  while (runs < 3) await new Promise((r) => setTimeout(r, 5));
  stop();
  const stoppedAt = runs;
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(runs, stoppedAt, 'no run after stop');
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /first run fails/);
});
