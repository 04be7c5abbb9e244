import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capturePhases, median, medianPhases, type TraceMark, type TraceRequest } from './capture-phases.js';
import type { ShopperEvent } from './reactive-shopper.js';

const mark = (event: string, at: number, detail?: Record<string, unknown>): TraceMark => ({ event, at, ...(detail ? { detail } : {}) });

test('a checkout capture splits into its phases, in ms from "look at the camera"', () => {
  const marks: TraceMark[] = [
    mark('engine:ready', 100),
    mark('capture:pressed', 1000),
    mark('capture:issued', 1002),
    mark('capture:frame', 1080, { grabbedAt: 1010, kept: true, analyzeMs: 60, judgeMs: 5 }),
    mark('capture:frame', 1260, { grabbedAt: 1180, kept: false, analyzeMs: 70, judgeMs: 9 }),
    mark('stream:encoded', 1090, { encodeMs: 8 }),
    mark('stream:encoded', 1270, { encodeMs: 12 }),
    mark('capture:step-met', 1600, { step: 0 }),
    mark('capture:frame', 1601, { grabbedAt: 1350, kept: true, analyzeMs: 80, judgeMs: 20 }),
    mark('capture:accepted', 2300),
    mark('capture:ended', 2310),
    mark('stream:finished', 2400),
    mark('answer:sent', 2401),
    mark('answer:received', 2700),
  ];
  const requests: TraceRequest[] = [
    { path: '/v1/web-config', startAt: 50, waitMs: 3, endAt: 60 },
    { path: '/v1/liveness-sessions/ls_1/frames', startAt: 1100, waitMs: 100, endAt: 1210 },
    { path: '/v1/liveness-sessions/ls_1/frames', startAt: 1300, waitMs: 300, endAt: 1610 },
    { path: '/v1/checkout', startAt: 2402, waitMs: 280, endAt: 2690 },
    { path: '/v1/liveness-sessions/ls_0/evidence', startAt: 10, waitMs: 5, endAt: 20 }, // an earlier capture's
    { path: '/v1/liveness-sessions/ls_1/evidence', startAt: 1500, waitMs: 200, endAt: 1710 },
  ];
  const shopper: ShopperEvent[] = [
    { at: 900, kind: 'prompt', action: 'turn_left' }, // an earlier capture's
    { at: 1010, kind: 'prompt', action: 'turn_left' },
    { at: 1310, kind: 'start', action: 'turn_left' },
    { at: 1620, kind: 'ticked', action: 'turn_left' },
    { at: 2310, kind: 'end', action: 'turn_left' },
  ];
  const phases = capturePhases(marks, requests, shopper);
  assert.deepEqual(phases, {
    issued: 2,
    prompted: 10,
    lastMoveStarted: 310,
    lastStepMet: 600,
    lastMoveEnded: 1310,
    accepted: 1300,
    ended: 1310,
    streamFinished: 1400,
    answerSent: 1401,
    answerReceived: 1700,
    answerWaitMs: 280,
    streamWaitMedianMs: 200,
    encodeMedianMs: 10,
    analyzeMedianMs: 70,
    judgeMedianMs: 9,
    grabIntervalMedianMs: 170,
    streamRequests: 3,
    frames: 3,
    kept: 2,
  });
});

test("the last movement's end is its own, not the previous movement's that ended as it began", () => {
  const marks = [mark('capture:pressed', 0), mark('capture:step-met', 500), mark('capture:step-met', 1700)];
  const shopper: ShopperEvent[] = [
    { at: 300, kind: 'start', action: 'turn_left' },
    { at: 1300, kind: 'end', action: 'turn_left' },
    { at: 1300, kind: 'start', action: 'look_up' },
    { at: 2300, kind: 'end', action: 'look_up' },
  ];
  const phases = capturePhases(marks, [], shopper);
  assert.equal(phases.lastMoveStarted, 1300);
  assert.equal(phases.lastMoveEnded, 2300);
});

test('without a pressed mark there is no capture to split', () => {
  assert.deepEqual(capturePhases([mark('engine:ready', 5)], []), { streamRequests: 0, frames: 0, kept: 0 });
});

test('medians per phase count only the captures that have the phase', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.equal(median([]), undefined);
  const all = medianPhases([
    { issued: 2, accepted: 1000, streamRequests: 3, frames: 10, kept: 9 },
    { issued: 4, streamRequests: 5, frames: 12, kept: 12 },
    { issued: 9, accepted: 1400, streamRequests: 4, frames: 11, kept: 10 },
  ]);
  assert.deepEqual(all.issued, { median: 4, n: 3 });
  assert.deepEqual(all.accepted, { median: 1000, n: 2 }, 'the lower middle of an even count');
  assert.deepEqual(all.frames, { median: 11, n: 3 });
});
