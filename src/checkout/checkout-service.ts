import { FacekeyError, InvalidArgument, LivenessSessionRefused } from '../errors/domain-errors.js';
import type { LivenessSessionRedeemer } from '../devices/liveness-sessions.js';
import type { ChallengeAction } from '../pad/challenge-evaluation.js';
import type { BiometricService, BurstCapture, CaptureEvidence, EngineEvidence, SubjectMatch } from '../biometrics/biometric-service.js';
import type { FaceTemplate } from '../templates/template.js';
import { burstEvidence, type LivenessEvidence } from '../pad/liveness-evidence.js';
import type { AnalysedBurstFrame } from '../pipeline/face-pipeline.js';
import type { SessionFrames } from './session-frames.js';
import type { ConsentLookup } from './consent-lookup.js';
import type { OrderHistory, OrderItem, Usual } from '../personalization/order-history.js';
import type { AuditSink } from '../audit/audit-sink.js';
import type { AuditData } from '../audit/audit-entry.js';
import type { PaymentStore, SecondFactorKind } from '../payments/payment-store.js';
import type { SecondFactorLookup } from '../payments/second-factor.js';
import type { AssertionIssuer } from './assertion-issuer.js';
import { SecondFactorAttempts } from './second-factor-attempts.js';
import { assessRisk, type CheckoutReason, type RiskSettings } from './risk-policy.js';

export type { LivenessEvidence } from '../pad/liveness-evidence.js';

export type CheckoutProbe =
  | { readonly image: Uint8Array }
  | { readonly frames: readonly Uint8Array[] }
  | { readonly template: Uint8Array }
  /** Indices of the frames streamed to the liveness session (session-frames.ts) that form the burst. */
  | { readonly sessionFrames: readonly number[] };

/** Frames streamed to a liveness session, as a checkout takes them (SessionFrames.takeJudged). */
type StreamedBurst = NonNullable<ReturnType<SessionFrames['takeJudged']>>;

export interface CheckoutRequest {
  readonly tenantId: string;
  readonly terminalId: string;
  /** The signed request's nonce; the assertion carries it. */
  readonly nonce: string;
  readonly amount: number;
  readonly currency: string;
  readonly merchantRef: string;
  readonly probe: CheckoutProbe;
  /** The consumer presented their id (an app QR code, a loyalty card): verification instead of identification. */
  readonly subjectId?: string;
  readonly secondFactor?: { readonly kind: SecondFactorKind; readonly value: string };
  /** Recorded only for consumers who granted `personalization`. */
  readonly basket?: readonly OrderItem[];
  /** The liveness session (POST /v1/liveness-sessions) whose challenge the burst performs. */
  readonly livenessSessionId?: string;
}

/** A probe turned into a template, with the liveness evidence; no template when the burst was not live. */
interface CheckoutCapture {
  readonly template?: FaceTemplate;
  /** The template of every engine the tenant's gallery still needs, the active engine's first. */
  readonly templates?: readonly FaceTemplate[];
  readonly liveness: LivenessEvidence;
  readonly capture?: CaptureEvidence;
}

export interface CheckoutEvidence {
  readonly engine: EngineEvidence;
  readonly score: number | null;
  readonly threshold: number;
  readonly targetFmr: number;
  readonly thresholdMethod: string;
  readonly liveness: LivenessEvidence;
  readonly risk: {
    readonly templatesSearched: number;
    readonly expectedFalseMatches: number;
    readonly budget: number;
    readonly candidates: number;
  };
  readonly capture?: CaptureEvidence;
}

export interface CheckoutResult {
  readonly outcome: 'approved' | 'declined' | 'second_factor_required';
  readonly reasons: readonly CheckoutReason[];
  readonly evidence: CheckoutEvidence | null;
  readonly assertion?: { readonly jws: string; readonly jti: string; readonly expiresAt: string };
  readonly subjectId?: string;
  readonly personalization?: Usual;
}

export interface CheckoutDeps {
  readonly biometrics: BiometricService;
  readonly consent: ConsentLookup;
  readonly payments: PaymentStore;
  readonly secondFactors: SecondFactorLookup;
  readonly orders: OrderHistory;
  readonly issuer: AssertionIssuer;
  readonly audit: AuditSink;
  /** Issued challenge sessions; a burst names the one it answers. */
  readonly livenessSessions: LivenessSessionRedeemer;
  /** Frames kiosks streamed to their sessions while the shopper performed; without it, bursts come whole. */
  readonly sessionFrames?: SessionFrames;
  /** The tenant's risk policy, read per checkout. */
  readonly risk: { forTenant(tenantId: string): Promise<RiskSettings> };
  readonly clock?: () => Date;
}

/** Capture errors a shopper can fix at the terminal become reasons, not failures of the request. */
const CAPTURE_REASONS: Record<string, CheckoutReason> = {
  spoof_suspected: 'spoof_suspected',
  quality_too_low: 'quality_too_low',
  face_not_found: 'face_not_found',
  multiple_faces: 'multiple_faces',
  invalid_image: 'invalid_image',
};

/**
 * Pay by face: presentation-attack detection, identification in the merchant's gallery (or
 * verification of a presented id), the risk policy, then a signed single-use assertion binding the
 * consumer's network token to this amount, merchant, terminal and request. Every outcome carries
 * its reasons and evidence and lands in the audit trail.
 */
export class CheckoutService {
  private readonly clock: () => Date;
  private readonly secondFactorAttempts: SecondFactorAttempts;

  constructor(private readonly deps: CheckoutDeps) {
    this.clock = deps.clock ?? (() => new Date());
    this.secondFactorAttempts = new SecondFactorAttempts(deps.payments, deps.secondFactors, deps.biometrics, this.clock);
  }

  async checkout(request: CheckoutRequest): Promise<CheckoutResult> {
    const result = await this.decide(request, await this.deps.risk.forTenant(request.tenantId));
    await this.deps.audit.append({
      type: 'checkout',
      tenantId: request.tenantId,
      actor: `terminal:${request.terminalId}`,
      data: {
        outcome: result.outcome,
        reasons: [...result.reasons],
        subjectId: result.subjectId ?? null,
        amount: request.amount,
        currency: request.currency,
        merchantRef: request.merchantRef,
        nonce: request.nonce,
        assertionId: result.assertion?.jti ?? null,
        ...(result.evidence ? auditableEvidence(result.evidence) : {}),
      },
    });
    return result;
  }

  private async decide(request: CheckoutRequest, risk: RiskSettings): Promise<CheckoutResult> {
    const { tenantId, terminalId } = request;
    const { payments } = this.deps;
    if (await this.locked('terminal', terminalId)) return { outcome: 'declined', reasons: ['terminal_locked'], evidence: null };

    let challenge: ChallengeSession | undefined;
    let streamed: StreamedBurst | undefined;
    if (request.livenessSessionId !== undefined) {
      const sessionId = request.livenessSessionId;
      const terminal = { id: terminalId, tenantId };
      if (!('frames' in request.probe) && !('sessionFrames' in request.probe))
        throw new InvalidArgument('a liveness session is answered with a burst of "frames", or of "sessionFrames" streamed to it');
      // Taken before the session is spent, so that bad indices are refused without spending it.
      if ('sessionFrames' in request.probe) streamed = this.streamedFrames(sessionId, terminal, request.probe.sessionFrames);
      const redeemed = await this.deps.livenessSessions.redeem(sessionId, terminal, 'checkout');
      if (!redeemed.ok) return { outcome: 'declined', reasons: [redeemed.reason], evidence: null };
      if ('sessionFrames' in request.probe && !streamed)
        throw new LivenessSessionRefused('no frames were streamed to this liveness session on this node: send the burst as "frames"', {
          reason: 'liveness_session_not_streamed',
        });
      challenge = { sessionId, actions: redeemed.challenge };
    } else if ('sessionFrames' in request.probe) {
      throw new InvalidArgument('"sessionFrames" name frames streamed to the liveness session given as "livenessSessionId"');
    }

    let probe: CheckoutCapture;
    try {
      probe = streamed ? await this.streamedBurst(streamed, tenantId, challenge!) : await this.probeOf(request.probe, tenantId, challenge);
    } catch (error) {
      const reason = error instanceof FacekeyError ? CAPTURE_REASONS[error.code] : undefined;
      if (!reason) throw error;
      if (reason === 'spoof_suspected') await this.fail('terminal', terminalId, risk);
      const liveness: LivenessEvidence = { method: 'single_frame', passed: reason !== 'spoof_suspected', reasons: [reason] };
      const { threshold, targetFmr, thresholdMethod, engine } = await this.deps.biometrics.tenantThreshold(tenantId, risk.targetFmr);
      return {
        outcome: 'declined',
        reasons: [reason],
        evidence: { engine, score: null, threshold, targetFmr, thresholdMethod, liveness, risk: this.riskEvidence(risk, 0, 0, 0) },
      };
    }
    if (!probe.liveness.passed || !probe.template) {
      await this.fail('terminal', terminalId, risk);
      const { threshold, targetFmr, thresholdMethod, engine } = await this.deps.biometrics.tenantThreshold(tenantId, risk.targetFmr);
      // A live burst that did not perform its session's challenge: another session's recording, or a guess.
      const challengeFailed = probe.liveness.challenge?.met === false && probe.liveness.reasons.length === 0;
      return {
        outcome: 'declined',
        reasons: [challengeFailed ? 'challenge_not_met' : 'spoof_suspected'],
        evidence: {
          engine,
          score: null,
          threshold,
          targetFmr,
          thresholdMethod,
          liveness: probe.liveness,
          risk: this.riskEvidence(risk, 0, 0, 0),
        },
      };
    }

    const guessed = request.secondFactor && !request.subjectId ? { tenantId, secondFactor: request.secondFactor } : undefined;
    if (guessed && (await this.secondFactorAttempts.factorLocked(guessed))) {
      return { outcome: 'declined', reasons: ['second_factor_locked'], evidence: null };
    }
    const search = await this.candidates(request, probe.templates ?? [probe.template], risk);
    const decision = assessRisk(
      {
        templatesSearched: search.templatesSearched,
        fmr: search.targetFmr,
        candidates: search.candidates,
        amount: request.amount,
        secondFactorChecked: search.narrowed,
        livenessVerified: probe.liveness.method !== 'device',
        livenessChallenged: probe.liveness.challenge?.met === true,
      },
      risk,
    );
    const evidence: CheckoutEvidence = {
      engine: search.engine,
      score: search.bestScore,
      threshold: search.threshold,
      targetFmr: search.targetFmr,
      thresholdMethod: search.thresholdMethod,
      liveness: probe.liveness,
      risk: this.riskEvidence(risk, search.templatesSearched, decision.expectedFalseMatches, search.candidates.length),
      ...(probe.capture ? { capture: probe.capture } : {}),
    };
    if (decision.outcome !== 'approve') {
      if (decision.outcome === 'second_factor_required') return { outcome: decision.outcome, reasons: decision.reasons, evidence };
      await this.fail('terminal', terminalId, risk);
      if (request.subjectId) await this.fail('subject', request.subjectId, risk);
      if (guessed && search.narrowed) await this.secondFactorAttempts.mismatched(guessed, probe.templates ?? probe.template, risk);
      return { outcome: 'declined', reasons: decision.reasons, evidence };
    }

    const subjectId = decision.subjectId;
    if (await this.locked('subject', subjectId)) return { outcome: 'declined', reasons: ['subject_locked'], evidence };
    const consent = await this.deps.consent.consentOfSubject(tenantId, subjectId).catch(() => undefined);
    if (!consent || consent.withdrawnAt || !consent.purposes.includes('payment')) {
      return { outcome: 'declined', reasons: ['consent_missing'], evidence };
    }
    const [token] = await payments.tokens(tenantId, subjectId);
    if (!token) return { outcome: 'declined', reasons: ['no_payment_token'], evidence };

    const assertion = await this.deps.issuer.issue({
      token_ref: token.tokenRef,
      amount: request.amount,
      currency: request.currency,
      merchant: tenantId,
      merchant_ref: request.merchantRef,
      terminal: terminalId,
      nonce: request.nonce,
      engine: { id: search.engine.id, version: search.engine.version },
      score: search.bestScore ?? 0,
      threshold: search.threshold,
      target_fmr: search.targetFmr,
      liveness: { method: probe.liveness.method, passed: probe.liveness.passed },
      second_factor: search.narrowed ? request.secondFactor!.kind : null,
    });
    // Paid with an older engine: store the active engine's template from this same capture (consent
    // for payment was checked above), so the subject need not enroll again. The assertion is already
    // issued: a failed migration must not fail the payment; the subject migrates on a later use.
    if (probe.templates) {
      await this.deps.biometrics
        .migrateOnUse(tenantId, subjectId, probe.templates, search.engine, { actor: `terminal:${terminalId}` })
        .catch(() => undefined);
    }
    const now = this.now();
    if ((await payments.failureState('subject', subjectId)).failures > 0) await payments.clearFailures('subject', subjectId, now);
    await this.deps.consent.touch(tenantId, consent.id);
    let personalization: Usual | undefined;
    if (consent.purposes.includes('personalization')) {
      personalization = await this.deps.orders.usual(tenantId, subjectId);
      if (request.basket?.length) await this.deps.orders.record(tenantId, subjectId, request.basket, now);
    }
    return { outcome: 'approved', reasons: [], evidence, assertion, subjectId, ...(personalization ? { personalization } : {}) };
  }

  /** Identification in the gallery; a presented id → verification; a second factor → only the people it fits. */
  private async candidates(request: CheckoutRequest, templates: readonly FaceTemplate[], risk: RiskSettings) {
    const { biometrics, payments, secondFactors } = this.deps;
    const scoreEach = (subjectIds: readonly string[]) => biometrics.scoreSubjects(request.tenantId, subjectIds, templates, risk.targetFmr);
    let scored: SubjectMatch[];
    let templatesSearched: number;
    let narrowed = false;
    if (request.secondFactor) {
      const lookup = secondFactors.of(request.tenantId, request.secondFactor.kind, request.secondFactor.value);
      let subjectIds = await payments.subjectsWithFactor(request.tenantId, request.secondFactor.kind, lookup);
      if (request.subjectId) subjectIds = subjectIds.filter((id) => id === request.subjectId);
      scored = await scoreEach(subjectIds);
      templatesSearched = subjectIds.length;
      narrowed = true;
    } else if (request.subjectId) {
      scored = await scoreEach([request.subjectId]);
      templatesSearched = 1;
    } else {
      const found = await biometrics.search(request.tenantId, templates, risk.targetFmr);
      scored = found.candidates;
      templatesSearched = found.templatesSearched;
    }
    // Each subject was decided at its own engine's threshold (older engines stand in for subjects not
    // yet migrated); the evidence is the best one's, or the active engine's when nobody was scored.
    const candidates = scored.filter((c) => c.match);
    const best = scored[0];
    const { threshold, targetFmr, thresholdMethod, engine } = best ?? biometrics.threshold(risk.targetFmr, templates[0] && { id: templates[0].engineId, version: templates[0].engineVersion });
    return { threshold, targetFmr, thresholdMethod, engine, candidates, bestScore: best?.score ?? null, templatesSearched, narrowed };
  }

  private streamedFrames(sessionId: string, terminal: { id: string; tenantId: string }, indices: readonly number[]): StreamedBurst | undefined {
    const taken = this.deps.sessionFrames?.takeJudged(sessionId, terminal, indices);
    // Awaited in the capture's try, where a frame the workers could not read becomes a decline reason.
    taken?.frames.catch(() => undefined);
    return taken;
  }

  /**
   * A burst streamed to the session: judged as one sent whole (burstOutcome), from the analyses made as
   * it arrived, and from the tracks the stream's judgement followed through these frames, when it did.
   */
  private async streamedBurst(streamed: StreamedBurst, tenantId: string, session: ChallengeSession): Promise<CheckoutCapture> {
    const frames = await streamed.frames;
    return burstOutcome(await this.deps.biometrics.captureAnalysedBurst(frames, session.actions, tenantId, streamed.tracks), session);
  }

  private async probeOf(probe: CheckoutProbe, tenantId: string, session?: ChallengeSession): Promise<CheckoutCapture> {
    const { biometrics } = this.deps;
    if ('template' in probe) {
      const { template } = await biometrics.capture(probe, 'largest', tenantId);
      return { template, liveness: { method: 'device', passed: true, reasons: [] } };
    }
    if ('image' in probe) {
      // capture() refuses a frame whose PAD scores fail (SpoofSuspected), so reaching here means it passed.
      const { template, templates, capture } = await biometrics.capture(probe, 'largest', tenantId);
      const scores = capture.presentation?.scores as Record<string, number> | undefined;
      return { template, templates, capture, liveness: { method: 'single_frame', passed: true, reasons: [], ...(scores ? { scores } : {}) } };
    }
    if ('sessionFrames' in probe) throw new Error('streamed frames are judged by streamedBurst');
    // One task: liveness over the burst, and the best frame's templates through the capture gates.
    return burstOutcome(await biometrics.captureBurst(probe.frames, session?.actions, tenantId), session);
  }

  private async locked(scope: 'subject' | 'terminal', id: string): Promise<boolean> {
    const { lockedUntil } = await this.deps.payments.failureState(scope, id);
    return lockedUntil !== null && lockedUntil > this.now();
  }

  private async fail(scope: 'subject' | 'terminal', id: string, risk: RiskSettings): Promise<void> {
    const max = scope === 'subject' ? risk.maxSubjectFailures : risk.maxTerminalFailures;
    const until = new Date(this.clock().getTime() + risk.lockoutSeconds * 1000).toISOString();
    await this.deps.payments.recordFailure(scope, id, max, this.now(), until);
  }

  private riskEvidence(
    risk: RiskSettings,
    templatesSearched: number,
    expectedFalseMatches: number,
    candidates: number,
  ): CheckoutEvidence['risk'] {
    return { templatesSearched, expectedFalseMatches, budget: risk.riskBudget, candidates };
  }

  private now(): string {
    return this.clock().toISOString();
  }
}

/** A redeemed liveness session: its id and the actions the burst must perform. */
interface ChallengeSession {
  readonly sessionId: string;
  readonly actions: readonly ChallengeAction[];
}

/** A judged burst as the checkout's capture: its liveness evidence, and when it passed, the gated templates. */
function burstOutcome(burst: BurstCapture, session: ChallengeSession | undefined): CheckoutCapture {
  const { liveness, challenge, template, templates, capture } = burst;
  const evidence = burstEvidence(liveness, session && challenge ? { sessionId: session.sessionId, verdict: challenge } : undefined);
  if (!evidence.passed || !template) return { liveness: evidence };
  return { template, ...(templates ? { templates } : {}), ...(capture ? { capture } : {}), liveness: evidence };
}

/** The audit keeps the decision's evidence, never the capture itself. */
function auditableEvidence(evidence: CheckoutEvidence): AuditData {
  return {
    engine: `${evidence.engine.id}@${evidence.engine.version}`,
    score: evidence.score,
    threshold: evidence.threshold,
    targetFmr: evidence.targetFmr,
    liveness: {
      method: evidence.liveness.method,
      passed: evidence.liveness.passed,
      reasons: [...evidence.liveness.reasons],
      ...(evidence.liveness.challenge
        ? { challenge: { sessionId: evidence.liveness.challenge.sessionId, met: evidence.liveness.challenge.met } }
        : {}),
    },
    risk: evidence.risk,
  };
}
