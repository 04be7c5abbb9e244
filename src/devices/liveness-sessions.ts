/**
 * Challenge-response liveness sessions. A terminal asks for a session and gets a random sequence of
 * actions ("turn left, then blink"); the burst it then sends must perform them in that order
 * (pad/challenge-evaluation.ts). A recorded or synthesised burst cannot know the challenge in
 * advance, and a burst recorded for one session does not answer another's.
 *
 * A session is bound to the terminal that asked (and its tenant), expires after a few minutes and
 * is single use: redeeming claims it with one conditional UPDATE, so of two nodes redeeming it at
 * once exactly one succeeds (as with the nonce store). It is spent whatever the burst then shows,
 * so a failed attempt cannot be retried against the same challenge.
 *
 * A session also records its PURPOSE: a checkout's challenge may be shorter than an enrollment's
 * (FACEKEY_LIVENESS_CHECKOUT_STEPS, default 1, against FACEKEY_LIVENESS_ENROLLMENT_STEPS, default 2):
 * an enrollment creates the reference every later payment is matched against, so it keeps the longer
 * challenge, and a session issued for a checkout cannot be redeemed by an enrollment. (A checkout may
 * redeem an enrollment's session: its challenge is never the shorter, which the policy enforces.)
 */
import { randomBytes, randomInt } from 'node:crypto';
import { CHALLENGE_ACTIONS, type ChallengeAction } from '../pad/challenge-evaluation.js';
import { InvalidArgument } from '../errors/domain-errors.js';
import type { SqlDatabase } from '../store/sql/sql-database.js';
import { repeatInBackground } from '../runtime/repeat-in-background.js';

export interface LivenessSessionPolicy {
  /** Seconds a session may be redeemed after it was issued; at most MAX_SESSION_TTL_SECONDS. */
  readonly ttlSeconds: number;
  /** Actions per enrollment challenge (FACEKEY_LIVENESS_ENROLLMENT_STEPS). */
  readonly steps: number;
  /** Actions per checkout challenge (FACEKEY_LIVENESS_CHECKOUT_STEPS): the shopper waits for every one. */
  readonly checkoutSteps: number;
  /**
   * The actions challenges are drawn from (FACEKEY_LIVENESS_ACTIONS). All five by default; an operator
   * narrows them where a movement does not suit the device (a kiosk mounted so that nodding is awkward).
   */
  readonly actions: readonly ChallengeAction[];
}

/** The bound: a challenge older than three minutes proves nothing about the present. */
export const MAX_SESSION_TTL_SECONDS = 180;

/** Actions burst liveness counts as a challenge met (pad/burst-liveness.ts): a yaw turn or a blink. */
const SHOWS_LIVENESS: readonly ChallengeAction[] = ['turn_left', 'turn_right', 'blink'];

export const DEFAULT_LIVENESS_SESSION_POLICY: LivenessSessionPolicy = { ttlSeconds: 120, steps: 2, checkoutSteps: 1, actions: CHALLENGE_ACTIONS };

/** What a session is for: its challenge length, and what may redeem it. */
export type SessionPurpose = 'checkout' | 'enrollment';

export interface LivenessSession {
  readonly sessionId: string;
  readonly challenge: readonly ChallengeAction[];
  readonly expiresAt: string;
  readonly purpose: SessionPurpose;
}

/** Why a session cannot be redeemed: each its own checkout reason. */
export type SessionRefusal = 'liveness_session_unknown' | 'liveness_session_expired' | 'liveness_session_used';

export type Redemption =
  { readonly ok: true; readonly challenge: readonly ChallengeAction[] } | { readonly ok: false; readonly reason: SessionRefusal };

export type Inspection =
  | { readonly ok: true; readonly expiresAt: string; readonly challenge: readonly ChallengeAction[] }
  | { readonly ok: false; readonly reason: SessionRefusal };

interface SessionRow {
  readonly challenge: string;
  readonly tenant_id: string;
  readonly terminal_id: string;
  readonly purpose: string | null;
  readonly expires_at: string;
  readonly used_at: string | null;
}

export interface SessionTerminal {
  readonly id: string;
  readonly tenantId: string;
}

/** The service's view of the sessions: checkout redeems, the route issues. */
export interface LivenessSessionRedeemer {
  redeem(sessionId: string, terminal: SessionTerminal, purpose: SessionPurpose): Promise<Redemption>;
}

export class LivenessSessions implements LivenessSessionRedeemer {
  private readonly policy: LivenessSessionPolicy;

  constructor(
    private readonly db: SqlDatabase,
    policy: Partial<LivenessSessionPolicy> = {},
    private readonly clock: () => Date = () => new Date(),
    /** Picks an index below `n`; cryptographically random unless a test scripts it. */
    private readonly pick: (n: number) => number = (n) => randomInt(n),
  ) {
    this.policy = { ...DEFAULT_LIVENESS_SESSION_POLICY, ...policy };
    const { ttlSeconds, steps, checkoutSteps } = this.policy;
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 10 || ttlSeconds > MAX_SESSION_TTL_SECONDS)
      throw new InvalidArgument(`a liveness session lives 10 to ${MAX_SESSION_TTL_SECONDS} seconds, got ${ttlSeconds}`);
    for (const n of [steps, checkoutSteps])
      if (!Number.isInteger(n) || n < 1 || n > 4) throw new InvalidArgument(`a challenge has 1 to 4 actions, got ${n}`);
    if (checkoutSteps > steps)
      throw new InvalidArgument(`an enrollment's challenge (${steps} actions) cannot be shorter than a checkout's (${checkoutSteps})`);
    assertDrawableActions(this.policy.actions, steps);
  }

  /** Actions per enrollment challenge: what an enrollment kiosk prepares its prompts for. */
  get challengeSteps(): number {
    return this.policy.steps;
  }

  async start(terminal: SessionTerminal, purpose: SessionPurpose = 'enrollment'): Promise<LivenessSession> {
    const sessionId = 'ls_' + randomBytes(18).toString('base64url');
    const challenge = this.randomChallenge(purpose === 'checkout' ? this.policy.checkoutSteps : this.policy.steps);
    const now = this.clock();
    const expiresAt = new Date(now.getTime() + this.policy.ttlSeconds * 1000).toISOString();
    await this.db.run(
      'INSERT INTO liveness_sessions (id, tenant_id, terminal_id, challenge, created_at, expires_at, purpose) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [sessionId, terminal.tenantId, terminal.id, JSON.stringify(challenge), now.toISOString(), expiresAt, purpose],
    );
    return { sessionId, challenge, expiresAt, purpose };
  }

  /**
   * Claims the session for `purpose`. An enrollment takes only an enrollment's session; a checkout
   * takes either (an enrollment's challenge is never the shorter). Sessions issued before purposes were
   * recorded (purpose NULL) carry the enrollment-length challenge and answer either.
   */
  async redeem(sessionId: string, terminal: SessionTerminal, purpose: SessionPurpose = 'enrollment'): Promise<Redemption> {
    const now = this.clock().toISOString();
    const claimed = await this.db.run(
      `UPDATE liveness_sessions SET used_at = ?
       WHERE id = ? AND tenant_id = ? AND terminal_id = ? AND (purpose = ? OR purpose IS NULL OR purpose = 'enrollment') AND used_at IS NULL AND expires_at > ?`,
      [now, sessionId, terminal.tenantId, terminal.id, purpose, now],
    );
    const row = await this.row(sessionId);
    if (!this.answers(row, terminal, purpose)) return { ok: false, reason: 'liveness_session_unknown' };
    if (claimed === 1) return { ok: true, challenge: JSON.parse(row.challenge) as ChallengeAction[] };
    if (row.used_at !== null) return { ok: false, reason: 'liveness_session_used' };
    return { ok: false, reason: 'liveness_session_expired' };
  }

  /**
   * Whether this terminal could redeem the session for `purpose` now, without claiming it: what a
   * stream of frames to the session (checkout/session-frames.ts) checks before keeping any.
   */
  async inspect(sessionId: string, terminal: SessionTerminal, purpose: SessionPurpose): Promise<Inspection> {
    const row = await this.row(sessionId);
    if (!this.answers(row, terminal, purpose)) return { ok: false, reason: 'liveness_session_unknown' };
    if (row.used_at !== null) return { ok: false, reason: 'liveness_session_used' };
    if (row.expires_at <= this.clock().toISOString()) return { ok: false, reason: 'liveness_session_expired' };
    return { ok: true, expiresAt: row.expires_at, challenge: JSON.parse(row.challenge) as ChallengeAction[] };
  }

  private row(sessionId: string): Promise<SessionRow | undefined> {
    return this.db.get<SessionRow>('SELECT challenge, tenant_id, terminal_id, purpose, expires_at, used_at FROM liveness_sessions WHERE id = ?', [
      sessionId,
    ]);
  }

  /**
   * Another terminal's session is "unknown" to this one: whether it exists is none of its business.
   * So is a checkout's session to an enrollment: its shorter challenge does not exist for one.
   */
  private answers(row: SessionRow | undefined, terminal: SessionTerminal, purpose: SessionPurpose): row is SessionRow {
    return !!row && row.tenant_id === terminal.tenantId && row.terminal_id === terminal.id && (row.purpose !== 'checkout' || purpose === 'checkout');
  }

  /** Deletes sessions past their expiry (used or not); returns how many. */
  purgeExpired(now: Date = this.clock()): Promise<number> {
    return this.db.run('DELETE FROM liveness_sessions WHERE expires_at < ?', [now.toISOString()]);
  }

  /** Purges on a timer that does not keep the process alive; returns a stop function. */
  purgeEvery(intervalMs: number, onError: (error: unknown) => void): () => void {
    return repeatInBackground(intervalMs, () => this.purgeExpired(), onError);
  }

  /**
   * Random actions, never the same one twice in a row (a repeat would be met by one movement), and
   * at least one that burst liveness itself recognises (a turn or a blink: a nod alone is judged
   * 'no_challenge' by assessBurstLiveness, so an all-pitch challenge could never be answered).
   */
  private randomChallenge(steps: number): ChallengeAction[] {
    for (;;) {
      const challenge: ChallengeAction[] = [];
      while (challenge.length < steps) {
        const choices = this.policy.actions.filter((a) => a !== challenge.at(-1));
        challenge.push(choices[this.pick(choices.length)]!);
      }
      if (challenge.some((a) => SHOWS_LIVENESS.includes(a))) return challenge;
    }
  }
}

/**
 * A challenge never repeats an action back to back and needs one that burst liveness recognises, so
 * the set must hold such an action, and two actions when a challenge has more than one step.
 */
function assertDrawableActions(actions: readonly ChallengeAction[], steps: number): void {
  if (!actions.some((a) => SHOWS_LIVENESS.includes(a)))
    throw new InvalidArgument(`challenge actions must include ${SHOWS_LIVENESS.join(', ')} or more: a nod alone does not show liveness`);
  if (steps > 1 && new Set(actions).size < 2) throw new InvalidArgument('a challenge of several steps needs at least two different actions');
}

/** Actions named in configuration, checked: `source` names where they came from in the error. */
export function parseChallengeActions(names: readonly string[], source: string): ChallengeAction[] {
  const unknown = names.filter((a) => !(CHALLENGE_ACTIONS as readonly string[]).includes(a));
  if (names.length === 0 || unknown.length > 0)
    throw new InvalidArgument(`${source} must list actions among ${CHALLENGE_ACTIONS.join(', ')}, got "${names.join(',')}"`);
  return names as ChallengeAction[];
}
