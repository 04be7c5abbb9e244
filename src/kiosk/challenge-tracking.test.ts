import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_SENT_FRAMES, prepareJudgement, selectFramesToSend, trackBurst, trackChallenge } from './challenge-tracking.js';

const ascendingUnique = (xs: readonly number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);

test('a short capture is sent whole', () => {
  assert.deepEqual(selectFramesToSend(MAX_SENT_FRAMES, [3, MAX_SENT_FRAMES - 1]), Array.from({ length: MAX_SENT_FRAMES }, (_, i) => i));
  assert.deepEqual(selectFramesToSend(0, []), []);
});

test('at most 8 frames go, so the server judges at most 28 pairs of them', () => {
  assert.equal(MAX_SENT_FRAMES, 8);
  assert.equal(selectFramesToSend(9, [3, 8]).length, 8);
});

test('a long capture sends frame 0, every step where it was met, and evenly spaced frames between, in order', () => {
  const atFrames = [12, 27, 41];
  const sent = selectFramesToSend(44, atFrames);
  assert.equal(sent.length, MAX_SENT_FRAMES);
  assert.ok(ascendingUnique(sent));
  for (const anchor of [0, ...atFrames]) assert.ok(sent.includes(anchor), `frame ${anchor} is sent`);
  assert.equal(sent.at(-1), 43, 'the follow-through after the last step ends the burst');
  // Evenly spread: no gap between consecutive picks is more than twice the even spacing.
  const gaps = sent.slice(1).map((x, i) => x - sent[i]!);
  assert.ok(Math.max(...gaps) <= Math.ceil((2 * 43) / (MAX_SENT_FRAMES - 1)), `gaps ${gaps.join(',')}`);
});

test('a capture that timed out keeps the frames up to its last, with the steps that were met', () => {
  const sent = selectFramesToSend(47, [10, null, null]);
  assert.equal(sent.length, MAX_SENT_FRAMES);
  assert.ok(ascendingUnique(sent));
  assert.deepEqual([sent[0], sent.at(-1)], [0, 46]);
  assert.ok(sent.includes(10));
});

test('anchors beyond the limit keep the first ones; out-of-range steps are ignored', () => {
  assert.deepEqual(selectFramesToSend(100, [5, 10, 15, 20], 3), [0, 5, 10]);
  assert.deepEqual(selectFramesToSend(100, [5, 10], 4), [0, 5, 10, 99]);
  assert.deepEqual(selectFramesToSend(30, [99, -1, 29], 4).length, 4);
  assert.deepEqual(selectFramesToSend(30, [29], 2), [0, 29]);
});

test('a performance is judged from the first frame the shopper faces the camera, not from a turn already under way', async () => {
  const { burst } = await import('../../test/kit/synthetic-face-burst.js');
  // The session began mid-turn to the left: from there, the next left turn only returns to the same yaw.
  const yaws = [20, 10, 0, 10, 20, 20, 10, 0, -5, -5];
  const pitches = [0, 0, 0, 0, 0, 0, 0, 0, 10, 12];
  const analyses = burst(yaws.map((yawDeg, i) => ({ yawDeg, pitchDeg: pitches[i]!, ear: 0.3, jitterPx: 0.2, seed: i + 1 })));
  const { start, verdict } = trackChallenge(analyses, ['turn_left', 'look_down']);
  assert.equal(verdict.met, true, JSON.stringify(verdict.steps));
  assert.ok(start > 0 && Math.abs(analyses[start]!.pose.yaw) <= 8, `starts at a frontal frame, got ${start}`);
  assert.ok(verdict.steps.every((s) => s.atFrame !== null && s.atFrame + start < analyses.length), 'steps count from the start');
  const fromZero = trackChallenge(analyses.slice(0, 2), ['turn_left', 'look_down']);
  assert.equal(fromZero.start, 0, 'with nothing better, frame 0');
});

test("a burst is live only when the server's whole judgement passes on the frames it would send: burst liveness as well as the challenge", async () => {
  const { analysesOf, performing } = await import('../../test/kit/synthetic-burst-faces.js');
  const live = analysesOf(performing(['turn_left', 'look_up']));
  const tracked = trackBurst(live, ['turn_left', 'look_up']);
  assert.equal(tracked.verdict.met, true);
  assert.equal(tracked.live, true);
  assert.ok(tracked.burst.length <= MAX_SENT_FRAMES && tracked.burst[0] === tracked.start, `burst ${tracked.burst.join(',')}`);
  assert.equal(tracked.burst.at(-1), live.length - 1, 'the burst ends with the latest frame');
  // The same performance with its first frame shown again at the end: the server refuses a burst
  // holding a repeated frame, so it is not live, though the challenge is met.
  const replayed = [...live, live[0]!];
  const trackedReplay = trackBurst(replayed, ['turn_left', 'look_up']);
  assert.equal(trackedReplay.verdict.met, true);
  assert.equal(trackedReplay.live, false);
  // Steps not all met yet: not live, and nothing judged beyond the challenge.
  const halfway = trackBurst(live.slice(0, Math.ceil(live.length / 3)), ['turn_left', 'look_up']);
  assert.equal(halfway.verdict.met, false);
  assert.equal(halfway.live, false);
});

test('with the tracks of the frames it would send, the judgement is the one the server makes of a burst sent with them', async () => {
  const { analysesOf, performing } = await import('../../test/kit/synthetic-burst-faces.js');
  const { RIGID_LANDMARKS } = await import('../pad/rigid-landmarks.js');
  const live = analysesOf(performing(['turn_left', 'look_up']));
  const asked: number[][] = [];
  // A perfect tracker on the synthetic head: each landmark is found where the frame's own mesh has it.
  const followed = (burst: readonly number[]) => {
    asked.push([...burst]);
    return { landmarks: RIGID_LANDMARKS, points: burst.map((k) => RIGID_LANDMARKS.map((i) => live[k]!.mesh[i]!)), eyeChange: burst.map(() => 0) };
  };
  const tracked = trackBurst(live, ['turn_left', 'look_up'], {}, { tracksOf: followed });
  assert.equal(tracked.live, true);
  assert.deepEqual(asked, [tracked.burst], 'asked for the tracks of the burst it judges, once');
  // The same analyses, but the pixels moved as one picture: the landmarks stayed put.
  const still = (burst: readonly number[]) => ({ landmarks: RIGID_LANDMARKS, points: burst.map(() => RIGID_LANDMARKS.map((i) => live[burst[0]!]!.mesh[i]!)), eyeChange: burst.map(() => 0) });
  assert.equal(trackBurst(live, ['turn_left', 'look_up'], {}, { tracksOf: still }).live, false);
});

test('pair fits prepared frame by frame leave the judgement once every step is met the fits of its last frame, and the same verdict', async () => {
  const { analysesOf, performing } = await import('../../test/kit/synthetic-burst-faces.js');
  const { pairFitsMade } = await import('../pad/burst-geometry.js');
  const challenge = ['turn_left', 'look_up'];
  const fresh = () => analysesOf(performing(challenge));
  const live = fresh();
  let metAt = -1;
  for (let n = 1; n <= live.length && metAt < 0; n += 1) {
    const sofar = live.slice(0, n);
    const unjudged = trackBurst(sofar, challenge, {}, { judge: false });
    if (unjudged.live) metAt = n;
    else prepareJudgement(sofar, unjudged.start);
  }
  assert.ok(metAt >= 3, `steps met at frame ${metAt}`);
  const before = pairFitsMade();
  const judged = trackBurst(live.slice(0, metAt), challenge);
  const made = pairFitsMade() - before;
  assert.ok(made <= judged.burst.length - 1, `${made} fits made by the judgement of ${judged.burst.length} frames`);
  // The same frames analysed afresh (nothing kept for them) are judged the same.
  assert.deepEqual(judged, trackBurst(fresh().slice(0, metAt), challenge));
  assert.equal(judged.live, true);
});

test('a challenge met within two frames is not yet live: a burst shorter than the policy asks is not worth judging', async () => {
  const { burst } = await import('../../test/kit/synthetic-face-burst.js');
  // Caught mid-turn: the turn is met at the second frame.
  const analyses = burst([0, 15, 15, 15].map((yawDeg, i) => ({ yawDeg, pitchDeg: 0, ear: 0.3, jitterPx: 0.2, seed: i + 1 })));
  const two = trackBurst(analyses.slice(0, 2), ['turn_left'], {}, { judge: false });
  assert.equal(two.verdict.met, true, 'the step is met');
  assert.deepEqual([two.burst.length, two.live], [2, false], 'but two frames cannot be judged');
  assert.equal(trackBurst(analyses.slice(0, 3), ['turn_left'], {}, { judge: false }).live, true, 'three can (the caller judges)');
  assert.equal(trackBurst(analyses.slice(0, 3), ['turn_left'], { minFrames: 4 }, { judge: false }).live, false, 'the policy says how many');
});
