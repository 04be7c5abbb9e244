import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { forEachDialect } from '../../test/kit/test-databases.js';
import { CHALLENGE_ACTIONS } from '../pad/challenge-evaluation.js';
import { LivenessSessions, MAX_SESSION_TTL_SECONDS, parseChallengeActions } from './liveness-sessions.js';
import { migrateLivenessSessions } from './liveness-session-migrations.js';

const till = { id: 'term_1', tenantId: 'tenant_a' };

forEachDialect('LivenessSessions', (database) => {
  let now = new Date('2026-11-29T12:00:00.000Z');
  let sessions: LivenessSessions;

  before(async () => {
    await migrateLivenessSessions(database());
    await migrateLivenessSessions(database());
    sessions = new LivenessSessions(database(), { ttlSeconds: 120 }, () => now);
  });

  it('issues a random challenge from the vocabulary, expiring within three minutes', async () => {
    const session = await sessions.start(till);
    assert.match(session.sessionId, /^ls_[A-Za-z0-9_-]{24}$/);
    assert.equal(session.challenge.length, 2);
    assert.ok(session.challenge.every((a) => (CHALLENGE_ACTIONS as readonly string[]).includes(a)));
    assert.notEqual(session.challenge[0], session.challenge[1]);
    assert.equal(new Date(session.expiresAt).getTime() - now.getTime(), 120_000);
    const seen = new Set<string>();
    for (let i = 0; i < 40; i += 1) seen.add((await sessions.start(till)).challenge.join(','));
    assert.ok(seen.size > 5, `challenges vary (${seen.size} distinct in 40)`);
    const nodsOnly = [...seen].filter((c) => c.split(',').every((a) => a === 'look_up' || a === 'look_down'));
    assert.deepEqual(nodsOnly, [], 'every challenge holds a turn or a blink, which burst liveness recognises');
  });

  it('draws again when the draw holds only nods, which burst liveness cannot recognise', async () => {
    const script = [2, 2, 0, 0];
    const scripted = new LivenessSessions(
      database(),
      {},
      () => now,
      () => script.shift()!,
    );
    assert.deepEqual((await scripted.start(till)).challenge, ['turn_left', 'turn_right']);
    assert.deepEqual(script, [], 'the first draw (look_up, look_down) was discarded');
  });

  it('draws only from the actions the operator allows, and refuses a set no challenge can be drawn from', async () => {
    const turnsOnly = new LivenessSessions(database(), { actions: ['turn_left', 'turn_right'] }, () => now);
    for (let i = 0; i < 10; i += 1) {
      const { challenge } = await turnsOnly.start(till);
      assert.ok(challenge.every((a) => a === 'turn_left' || a === 'turn_right'), challenge.join(','));
    }
    assert.throws(() => new LivenessSessions(database(), { actions: ['look_up', 'look_down'] }), /a nod alone does not show liveness/);
    assert.throws(() => new LivenessSessions(database(), { actions: ['blink'] }), /at least two different actions/);
    assert.throws(() => parseChallengeActions(['turn_left', 'wink'], 'FACEKEY_LIVENESS_ACTIONS'), /FACEKEY_LIVENESS_ACTIONS must list actions/);
    assert.deepEqual(parseChallengeActions(['blink', 'turn_left'], 'X'), ['blink', 'turn_left']);
  });

  it("gives a checkout the shorter challenge, and an enrollment cannot redeem a checkout's session", async () => {
    const checkout = await sessions.start(till, 'checkout');
    assert.equal(checkout.purpose, 'checkout');
    assert.equal(checkout.challenge.length, 1, 'FACEKEY_LIVENESS_CHECKOUT_STEPS defaults to 1');
    assert.ok(['turn_left', 'turn_right', 'blink'].includes(checkout.challenge[0]!), 'a one-action challenge is one burst liveness recognises');
    assert.deepEqual(await sessions.redeem(checkout.sessionId, till, 'enrollment'), { ok: false, reason: 'liveness_session_unknown' });
    assert.deepEqual(await sessions.redeem(checkout.sessionId, till, 'checkout'), { ok: true, challenge: checkout.challenge });
    const enrollment = await sessions.start(till, 'enrollment');
    assert.equal(enrollment.challenge.length, 2);
    const longer = new LivenessSessions(database(), { checkoutSteps: 3, steps: 4 }, () => now);
    assert.equal((await longer.start(till, 'checkout')).challenge.length, 3);
    assert.equal((await longer.start(till, 'enrollment')).challenge.length, 4);
    assert.throws(() => new LivenessSessions(database(), { checkoutSteps: 0 }), /1 to 4 actions/);
    assert.throws(() => new LivenessSessions(database(), { checkoutSteps: 3, steps: 2 }), /cannot be shorter than a checkout's/);
    // A checkout may answer an enrollment's session: its challenge is the longer.
    const enrollmentForCheckout = await sessions.start(till, 'enrollment');
    assert.deepEqual(await sessions.redeem(enrollmentForCheckout.sessionId, till, 'checkout'), { ok: true, challenge: enrollmentForCheckout.challenge });
    // Issued before purposes were recorded: the enrollment-length challenge, good for either.
    await database().run('UPDATE liveness_sessions SET purpose = NULL WHERE id = ?', [enrollment.sessionId]);
    assert.deepEqual(await sessions.redeem(enrollment.sessionId, till, 'checkout'), { ok: true, challenge: enrollment.challenge });
  });

  it('is redeemed once, by the terminal that asked, with its challenge', async () => {
    const session = await sessions.start(till);
    assert.deepEqual(await sessions.redeem(session.sessionId, { id: 'term_2', tenantId: 'tenant_a' }), {
      ok: false,
      reason: 'liveness_session_unknown',
    });
    assert.deepEqual(await sessions.redeem(session.sessionId, { id: 'term_1', tenantId: 'tenant_b' }), {
      ok: false,
      reason: 'liveness_session_unknown',
    });
    assert.deepEqual(await sessions.redeem(session.sessionId, till), { ok: true, challenge: session.challenge });
    assert.deepEqual(await sessions.redeem(session.sessionId, till), { ok: false, reason: 'liveness_session_used' });
    assert.deepEqual(await sessions.redeem('ls_nope', till), { ok: false, reason: 'liveness_session_unknown' });
  });

  it('of concurrent redemptions exactly one succeeds', async () => {
    const session = await sessions.start(till);
    const results = await Promise.all(Array.from({ length: 8 }, () => sessions.redeem(session.sessionId, till)));
    assert.equal(results.filter((r) => r.ok).length, 1);
    assert.ok(results.filter((r) => !r.ok).every((r) => !r.ok && r.reason === 'liveness_session_used'));
  });

  it('expires: refused with its own reason, then purged', async () => {
    const session = await sessions.start(till);
    now = new Date(now.getTime() + 120_001);
    assert.deepEqual(await sessions.redeem(session.sessionId, till), { ok: false, reason: 'liveness_session_expired' });
    assert.ok((await sessions.purgeExpired(new Date(now.getTime() + 1))) >= 1);
    assert.deepEqual(await sessions.redeem(session.sessionId, till), { ok: false, reason: 'liveness_session_unknown' });
  });

  it('refuses a lifetime beyond three minutes', () => {
    assert.throws(() => new LivenessSessions(database(), { ttlSeconds: MAX_SESSION_TTL_SECONDS + 1 }), /10 to 180 seconds/);
  });
});
