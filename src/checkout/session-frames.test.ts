import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Conflict, FaceNotFound, InvalidArgument, LivenessSessionRefused, Overloaded, SessionFramesExceeded } from '../errors/domain-errors.js';
import type { Inspection, SessionPurpose, SessionTerminal } from '../devices/liveness-sessions.js';
import type { AnalysedFrame } from '../pipeline/face-pipeline.js';
import { SessionFrames, type SessionFrameLimits } from './session-frames.js';
import { analysesOf, performing } from '../../test/kit/synthetic-burst-faces.js';
import { trackBurst } from '../kiosk/challenge-tracking.js';

const till = { id: 'till-1', tenantId: 'shop' };
const otherTill = { id: 'till-2', tenantId: 'shop' };

/** Sessions as the store sees them: inspect answers from a table; the analysis tags each frame with its first byte. */
function store(limits: Partial<SessionFrameLimits> = {}, refusals: Record<string, Inspection> = {}) {
  let now = new Date('2026-11-30T12:00:00.000Z');
  const inspected: Array<{ sessionId: string; terminal: SessionTerminal; purpose: SessionPurpose }> = [];
  const analysed: number[] = [];
  const concurrency = { now: 0, max: 0 };
  const frames = new SessionFrames(
    {
      sessions: {
        inspect: async (sessionId, terminal, purpose) => {
          inspected.push({ sessionId, terminal, purpose });
          const expiresAt = new Date(now.getTime() + 120_000).toISOString();
          return refusals[sessionId] ?? (terminal.id === till.id ? { ok: true, expiresAt, challenge: ['turn_left'] } : { ok: false, reason: 'liveness_session_unknown' });
        },
      },
      analyze: async (image) => {
        analysed.push(image[0]!);
        concurrency.max = Math.max(concurrency.max, ++concurrency.now);
        await new Promise((resolve) => setImmediate(resolve));
        concurrency.now -= 1;
        if (image[0] === 0) throw new FaceNotFound('no face found in the image');
        return { face: { tag: image[0] }, described: {} } as unknown as AnalysedFrame;
      },
      clock: () => now,
    },
    limits,
  );
  return { frames, inspected, analysed, concurrency, later: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

const image = (tag: number, size = 10) => new Uint8Array(size).fill(tag);
const reason = (error: unknown) => (error as LivenessSessionRefused).details.reason;
const tags = async (taken: ReturnType<SessionFrames['take']>) => (await taken!).map((frame) => (frame.analysis.face as unknown as { tag: number }).tag);

describe('SessionFrames', () => {
  it('keeps frames in order, each analysed as it arrives, for the checkout session the terminal may answer', async () => {
    const { frames, inspected, analysed, concurrency } = store();
    assert.deepEqual(await frames.append('ls_1', till, 0, [image(1), image(2)]), { received: 2 });
    assert.equal(concurrency.max, 1, "one of a stream's frames analysed at a time: one worker per kiosk");
    assert.deepEqual(await frames.append('ls_1', till, 2, [image(3)]), { received: 3 });
    assert.deepEqual(analysed, [1, 2, 3], 'analysed on arrival');
    assert.deepEqual(inspected, [{ sessionId: 'ls_1', terminal: till, purpose: 'checkout' }], 'the session is looked up once, for a checkout');
    assert.equal(frames.heldBytes, 30);
    assert.deepEqual(await tags(frames.take('ls_1', till, [0, 2])), [1, 3]);
    assert.equal(frames.heldBytes, 0, 'taken: forgotten');
    assert.equal(frames.take('ls_1', till, [0, 1, 2]), undefined, 'taken once');
  });

  it('refuses frames sent at the wrong index: a lost or repeated request cannot shift the burst', async () => {
    const { frames } = store();
    await frames.append('ls_1', till, 0, [image(1)]);
    await assert.rejects(frames.append('ls_1', till, 0, [image(1)]), Conflict);
    await assert.rejects(frames.append('ls_1', till, 2, [image(2)]), Conflict);
    assert.deepEqual(await frames.append('ls_1', till, 1, [image(2)]), { received: 2 });
  });

  it("refuses another terminal's session, an expired or used one, with the session's reason", async () => {
    const { frames, later } = store({}, {
      ls_used: { ok: false, reason: 'liveness_session_used' },
      ls_old: { ok: false, reason: 'liveness_session_expired' },
    });
    for (const [sessionId, expected] of [
      ['ls_used', 'liveness_session_used'],
      ['ls_old', 'liveness_session_expired'],
    ] as const) {
      const refused = await frames.append(sessionId, till, 0, [image(1)]).catch((e: unknown) => e);
      assert.ok(refused instanceof LivenessSessionRefused);
      assert.equal(reason(refused), expected);
    }
    assert.equal(reason(await frames.append('ls_1', otherTill, 0, [image(1)]).catch((e: unknown) => e)), 'liveness_session_unknown');
    await frames.append('ls_1', till, 0, [image(1), image(2), image(3)]);
    // A stream once open is still this terminal's alone, and nobody else may take it.
    assert.equal(reason(await frames.append('ls_1', otherTill, 3, [image(4)]).catch((e: unknown) => e)), 'liveness_session_unknown');
    assert.equal(frames.take('ls_1', otherTill, [0, 1, 2]), undefined);
    later(121_000);
    assert.equal(reason(await frames.append('ls_1', till, 3, [image(4)]).catch((e: unknown) => e)), 'liveness_session_expired');
    assert.equal(frames.take('ls_1', till, [0, 1, 2]), undefined, 'an expired stream is not judged');
    assert.equal(frames.heldBytes, 0);
  });

  it('forgets the streams of expired sessions when the next stream opens', async () => {
    const { frames, later } = store();
    await frames.append('ls_abandoned', till, 0, [image(1)]);
    later(121_000);
    assert.equal(frames.heldBytes, 10);
    await frames.append('ls_next', till, 0, [image(2, 7)]);
    assert.equal(frames.heldBytes, 7, "only the new session's frames are held");
    later(121_000);
    assert.equal(frames.purgeExpired(), 1);
    assert.equal(frames.heldBytes, 0);
  });

  it('bounds frames and bytes per session, and bytes over all sessions', async () => {
    const { frames, analysed } = store({ maxFrames: 4, maxBytesPerSession: 45, maxBytesTotal: 60 });
    await frames.append('ls_1', till, 0, [image(1), image(2), image(3)]);
    await assert.rejects(frames.append('ls_1', till, 3, [image(4), image(5)]), SessionFramesExceeded, 'five frames');
    await assert.rejects(frames.append('ls_1', till, 3, [image(4, 16)]), SessionFramesExceeded, '46 bytes');
    assert.deepEqual(await frames.append('ls_1', till, 3, [image(4, 15)]), { received: 4 });
    await frames.append('ls_2', till, 0, [image(1, 15)]);
    await assert.rejects(frames.append('ls_3', till, 0, [image(1)]), Overloaded, '70 bytes held over all sessions');
    assert.deepEqual(analysed, [1, 2, 3, 4, 1], 'refused frames are never analysed');
    await assert.rejects(frames.append('ls_4', till, 0, [new Uint8Array(0)]), InvalidArgument);
  });

  it("tells a kiosk that asks how its frames answer the challenge, on the server's own analyses, and which frames to name", async () => {
    const challenge = ['turn_left', 'look_up'] as const;
    const frames = new SessionFrames({
      sessions: { inspect: async () => ({ ok: true, expiresAt: '2026-11-30T12:02:00.000Z', challenge: [...challenge] }) },
      // A synthetic face per frame, posed as the bytes say; an empty pose (a byte 0) is a frame without a face.
      analyze: async (image) => {
        if (image[0] === 0) throw new FaceNotFound('no face found in the image');
        return { face: analysesOf([image])[0]!, described: {} } as unknown as AnalysedFrame;
      },
      clock: () => new Date('2026-11-30T12:00:00.000Z'),
    });
    const performance = performing([...challenge]);
    const answers: Array<Awaited<ReturnType<SessionFrames['append']>>> = [];
    const held = () => answers.at(-1)?.received ?? 0;
    for (const [i, frame] of performance.entries()) {
      answers.push(await frames.append('ls_1', till, held(), [frame], { track: true }));
      // An unreadable frame and the first frame again (the same picture) go in the stream too, and are left out of the burst.
      if (i === 1) answers.push(await frames.append('ls_1', till, held(), [image(0), performance[0]!], { track: true }));
    }
    const first = answers[0]!.progress!;
    assert.deepEqual(first.steps, [{ action: 'turn_left', met: false }, { action: 'look_up', met: false }]);
    assert.equal(first.live, false);
    const last = answers.at(-1)!.progress!;
    assert.deepEqual(last.steps.map((s) => s.met), [true, true]);
    assert.equal(last.live, true);
    // Stream indices: frames 0, 1, then the unreadable one (2) and the repeat (3), then the rest from 4.
    assert.ok(!last.burst.includes(2) && !last.burst.includes(3), `burst ${last.burst.join(',')}`);
    const streamed = [performance[0]!, performance[1]!, undefined, undefined, ...performance.slice(2)];
    const expected = trackBurst(analysesOf(performance), [...challenge]).burst.map((i) => (i < 2 ? i : i + 2));
    assert.deepEqual(last.burst, expected, 'the burst the kiosks pick from the same frames');
    assert.ok(last.burst.every((i) => streamed[i] !== undefined));
    assert.ok(answers.slice(0, -1).every((a) => !a.progress!.live), 'live only once the whole performance is in');
    assert.equal((await frames.append('ls_2', till, 0, [performance[0]!])).progress, undefined, 'not asked: not judged');
  });

  it("says a checkout's frames pass only when the checkout's own judgement (the workers', from the pixels) passes on them", async () => {
    const challenge = ['turn_left', 'look_up'] as const;
    const performance = performing([...challenge]);
    const asked: number[][] = [];
    let verdict: boolean | 'fails' = false;
    const frames = new SessionFrames({
      sessions: { inspect: async () => ({ ok: true, expiresAt: '2026-11-30T12:02:00.000Z', challenge: [...challenge] }) },
      analyze: async (image) => ({ face: analysesOf([image])[0]!, described: {} }) as unknown as AnalysedFrame,
      judge: async (burst, judgedChallenge) => {
        assert.deepEqual(judgedChallenge, [...challenge]);
        asked.push(burst.map((frame) => performance.findIndex((bytes) => Buffer.from(bytes).equals(Buffer.from(frame.image)))));
        if (verdict === 'fails') throw new Error('the workers are gone');
        return { live: verdict };
      },
      clock: () => new Date('2026-11-30T12:00:00.000Z'),
    });
    const answers = [];
    for (const [offset, frame] of performance.entries()) answers.push(await frames.append('ls_j', till, offset, [frame], { track: true }));
    const last = answers.at(-1)!.progress!;
    assert.deepEqual(last.steps.map((s) => s.met), [true, true]);
    assert.equal(last.live, false, 'the analyses alone would pass; the checkout says no');
    assert.ok(asked.length >= 1, 'asked once the steps are met');
    assert.equal(asked.length, answers.filter((a) => a.progress!.steps.every((s) => s.met)).length, 'and only then');
    assert.deepEqual(asked.at(-1), [...last.burst], 'about the very frames it would name');
    verdict = true;
    assert.equal((await frames.append('ls_j', till, performance.length, [image(9)], { track: true })).progress!.live, true);
    verdict = 'fails';
    assert.equal((await frames.append('ls_j', till, performance.length + 1, [image(8)], { track: true })).progress!.live, false, 'a judgement that fails is no pass');
  });

  it("asks the checkout's judgement only of a burst it can pass: a turn met within two frames (a shopper caught mid-turn) waits for a third", async () => {
    const pose = (seed: number, yawDeg: number) => new TextEncoder().encode(JSON.stringify({ seed, yawDeg, pitchDeg: 0, ear: 0.3 }));
    const asked: number[] = [];
    const frames = new SessionFrames({
      sessions: { inspect: async () => ({ ok: true, expiresAt: '2026-11-30T12:02:00.000Z', challenge: ['turn_left'] }) },
      analyze: async (image) => ({ face: analysesOf([image])[0]!, described: {} }) as unknown as AnalysedFrame,
      judge: async (burst) => {
        asked.push(burst.length);
        return { live: burst.length >= 3 };
      },
      clock: () => new Date('2026-11-30T12:00:00.000Z'),
    });
    const first = await frames.append('ls_m', till, 0, [pose(1, 0)], { track: true });
    const second = await frames.append('ls_m', till, 1, [pose(2, 15)], { track: true });
    assert.deepEqual([first.progress!.live, second.progress!.steps[0]!.met, second.progress!.live], [false, true, false]);
    assert.deepEqual(asked, [], 'two frames: the judgement would only say too_few_frames');
    const third = await frames.append('ls_m', till, 2, [pose(3, 15)], { track: true });
    assert.deepEqual([third.progress!.live, asked], [true, [3]]);
  });

  it('hands a checkout that names the burst its judgement passed the tracks that judgement followed, and no other burst', async () => {
    const challenge = ['turn_left', 'look_up'] as const;
    const performance = performing([...challenge]);
    const followed = { landmarks: [1, 2], points: [[null, null]], eyeChange: [0] };
    const judgedFrames = () =>
      new SessionFrames({
        sessions: { inspect: async () => ({ ok: true, expiresAt: '2026-11-30T12:02:00.000Z', challenge: [...challenge] }) },
        analyze: async (image) => ({ face: analysesOf([image])[0]!, described: {} }) as unknown as AnalysedFrame,
        judge: async () => ({ live: true, tracks: followed }),
        clock: () => new Date('2026-11-30T12:00:00.000Z'),
      });
    const frames = judgedFrames();
    let last;
    for (const [offset, frame] of performance.entries()) last = await frames.append('ls_t', till, offset, [frame], { track: true });
    const burst = last!.progress!.burst;
    assert.equal(last!.progress!.live, true);
    const taken = frames.takeJudged('ls_t', till, burst)!;
    assert.equal(taken.tracks, followed, 'the tracks of the burst judged live');
    assert.equal((await taken.frames).length, burst.length);
    // Another choice of frames was not judged: the checkout follows their pixels itself.
    const other = judgedFrames();
    for (const [offset, frame] of performance.entries()) await other.append('ls_u', till, offset, [frame], { track: true });
    const fewer = other.takeJudged('ls_u', till, burst.slice(0, -1))!;
    assert.equal(fewer.tracks, undefined);
    assert.equal((await fewer.frames).length, burst.length - 1);
  });

  it("holds an enrollment kiosk's own analyses for its enrollment, apart from a checkout's images", async () => {
    const challenge = ['turn_left', 'look_up'] as const;
    const purposes: string[] = [];
    const frames = new SessionFrames({
      sessions: {
        inspect: async (sessionId, _terminal, purpose) => {
          purposes.push(purpose);
          return { ok: true, expiresAt: '2026-11-30T12:02:00.000Z', challenge: [...challenge] };
        },
      },
      analyze: async () => assert.fail('evidence is never analysed here'),
      clock: () => new Date('2026-11-30T12:00:00.000Z'),
    });
    const analyses = analysesOf(performing([...challenge]));
    let answer = await frames.appendEvidence('ls_e', till, 0, analyses.slice(0, 2), 100, { track: true });
    assert.deepEqual([answer.received, answer.progress!.live], [2, false]);
    answer = await frames.appendEvidence('ls_e', till, 2, analyses.slice(2), 100, { track: true });
    assert.deepEqual([answer.received, answer.progress!.live], [analyses.length, true]);
    assert.deepEqual(purposes, ['enrollment'], 'looked up once, as an enrollment session');
    assert.equal(frames.heldBytes, 200);
    await assert.rejects(frames.append('ls_e', till, analyses.length, [image(1)]), LivenessSessionRefused, 'no images into an evidence stream');
    assert.equal(frames.take('ls_e', till, [0, 1, 2]), undefined, "a checkout finds no frames of its own kind");
    const taken = frames.takeEvidence('ls_e', till, answer.progress!.burst)!;
    assert.deepEqual(taken, answer.progress!.burst.map((i) => analyses[i]), 'the very analyses streamed, in order');
    assert.equal(frames.takeEvidence('ls_e', till, [0, 1, 2]), undefined, 'taken once');
    assert.equal(frames.heldBytes, 0);
  });

  it('refuses indices that are not ascending or not streamed, without taking anything; an unreadable frame fails the take', async () => {
    const { frames } = store();
    await frames.append('ls_1', till, 0, [image(1), image(0), image(3)]);
    assert.throws(() => frames.take('ls_1', till, [0, 0, 2]), InvalidArgument);
    assert.throws(() => frames.take('ls_1', till, [2, 1]), InvalidArgument);
    assert.throws(() => frames.take('ls_1', till, [0, 1, 3]), InvalidArgument);
    assert.deepEqual(await tags(frames.take('ls_1', till, [0, 2])), [1, 3], 'still there after the refusals');
    await frames.append('ls_2', till, 0, [image(1), image(0), image(3)]);
    await assert.rejects(frames.take('ls_2', till, [0, 1, 2])!, FaceNotFound, "the frame's own error, as a burst sent whole would fail");
  });
});
