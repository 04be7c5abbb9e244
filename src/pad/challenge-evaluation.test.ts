import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgument } from '../errors/domain-errors.js';
import { burst } from '../../test/kit/synthetic-face-burst.js';
import { evaluateChallenge, parseChallenge } from './challenge-evaluation.js';

// Turning to one's own left, facing the camera, moves the nose towards the image's right (yaw > 0 here).
const turnLeftThenBlink = burst([
  { yawDeg: 0 },
  { yawDeg: 6 },
  { yawDeg: 14 },
  { yawDeg: 14, ear: 0.3 },
  { yawDeg: 14, ear: 0.05 },
  { yawDeg: 14, ear: 0.3 },
]);

test('turn_left then blink is met in that order, with the frames where each completed', () => {
  const verdict = evaluateChallenge(turnLeftThenBlink, ['turn_left', 'blink']);
  assert.equal(verdict.met, true, JSON.stringify(verdict.steps));
  assert.deepEqual(
    verdict.steps.map((s) => [s.action, s.fromFrame, s.atFrame]),
    [
      ['turn_left', 0, 2],
      ['blink', 2, 5],
    ],
  );
  assert.ok(verdict.steps[0]!.measured >= 10);
  assert.ok(verdict.steps[1]!.measured >= 0.4);
});

test('the wrong direction, or the right actions in the wrong order, fail', () => {
  const right = evaluateChallenge(turnLeftThenBlink, ['turn_right', 'blink']);
  assert.equal(right.met, false);
  assert.equal(right.steps[0]!.atFrame, null);
  assert.equal(right.steps[1]!.met, false, 'a step after a failed one is not looked for');

  const blinkFirst = evaluateChallenge(turnLeftThenBlink, ['blink', 'turn_left']);
  assert.equal(blinkFirst.met, false, 'the turn happened before the blink, not after');
  assert.equal(blinkFirst.steps[0]!.met, true);
  assert.equal(blinkFirst.steps[1]!.met, false);
});

test('frames of a bona fide burst replayed in another order do not answer the challenge', () => {
  const shuffled = [5, 4, 3, 0, 1, 2].map((i) => turnLeftThenBlink[i]!);
  assert.equal(evaluateChallenge(shuffled, ['turn_left', 'blink']).met, false);
});

test('look_up and look_down are read from the pitch of the rigid fit', () => {
  const nod = burst([{ pitchDeg: 0 }, { pitchDeg: 12 }, { pitchDeg: -2 }]);
  assert.equal(evaluateChallenge(nod, ['look_down', 'look_up']).met, true);
  assert.equal(evaluateChallenge(nod, ['look_up']).met, false);
});

test('a challenge is a non-empty list of known actions', () => {
  assert.throws(() => parseChallenge([]), InvalidArgument);
  assert.throws(() => parseChallenge(['smile']), InvalidArgument);
  assert.deepEqual(parseChallenge(['turn_right', 'look_up']), ['turn_right', 'look_up']);
});

test('a blink asked first may be read from the pixels (eye change against frame 0); asked after a turn it may not', () => {
  // The mesh sees no blink here (eye ratio unchanged); the tracked eye change closes and reopens.
  const still = burst([{ yawDeg: 0 }, { yawDeg: 1 }, { yawDeg: 2 }, { yawDeg: 2 }, { yawDeg: 16 }]);
  const eyes = { eyeChange: [0, 0.01, 0.4, 0.02, 0.01], minEyeChange: 0.05 };
  const first = evaluateChallenge(still, ['blink', 'turn_left'], undefined, eyes);
  assert.equal(first.met, true, JSON.stringify(first.steps));
  assert.deepEqual(first.steps.map((s) => s.atFrame), [3, 4]);
  assert.equal(evaluateChallenge(still, ['blink'], undefined, null).met, false, 'without pixels the mesh decides, and it saw nothing');
  const afterTurn = evaluateChallenge(still, ['turn_left', 'blink'], undefined, eyes);
  assert.equal(afterTurn.steps[1]!.met, false, 'the eye change is measured against frame 0, so a later blink is not read from it');
});
