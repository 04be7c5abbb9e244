import { randomBytes } from 'node:crypto';
import {
  EngineOutdated,
  Forbidden,
  InvalidArgument,
  LivenessSessionRefused,
  NotFound,
  SpoofSuspected,
} from '../errors/domain-errors.js';
import type { BiometricService, CaptureEvidence, EngineEvidence } from '../biometrics/biometric-service.js';
import type { ConsentService } from '../consent/consent-service.js';
import type { Consent, ConsentStore } from '../consent/consent-store.js';
import type { ConsentPurpose } from '../consent/consent-texts.js';
import type { PrivacyCodes } from '../consent/privacy-codes.js';
import type { LivenessSessionRedeemer } from '../devices/liveness-sessions.js';
import type { WalletService } from '../payments/wallet-service.js';
import type { AuditSink } from '../audit/audit-sink.js';
import type { BurstLivenessPolicy } from '../pad/burst-liveness.js';
import { judgeBurst } from '../pad/judge-burst.js';
import { burstEvidence, type LivenessEvidence } from '../pad/liveness-evidence.js';
import { decodeTemplate, encodeTemplate } from '../templates/template-codec.js';
import type { FaceTemplate } from '../templates/template.js';
import { checkedAnalysisOf, type FrameEvidence } from '../analysis/frame-evidence.js';
import { checkedTracksOf, type TrackEvidence } from '../pad/track-evidence.js';
import type { KioskEnrollmentRecords } from './kiosk-enrollment-records.js';
import type { FaceAnalysis } from '../analysis/face-analysis.js';

/** The consumer is still at the kiosk: card and PIN are linked within this many minutes of enrolling. */
export const KIOSK_FOLLOW_UP_MINUTES = 15;

/**
 * Template mode: the kiosk computed the template in the browser and sends the analyses of the burst
 * it recorded, never a photo, or names them among those it streamed to the session while the shopper
 * performed (`sessionFrames`, checkout/session-frames.ts). Upload mode: the kiosk cannot compute
 * templates and sends the frames.
 */
export type KioskCapture =
  | { readonly template: Uint8Array; readonly frames: readonly FrameEvidence[]; readonly tracks?: TrackEvidence }
  | { readonly template: Uint8Array; readonly sessionFrames: readonly number[]; readonly tracks?: TrackEvidence }
  | { readonly images: readonly Uint8Array[] };

export interface KioskTerminal {
  readonly id: string;
  readonly tenantId: string;
}

export interface KioskEnrollmentRequest {
  readonly terminal: KioskTerminal;
  readonly consent: { readonly textVersion: string; readonly purposes: readonly ConsentPurpose[]; readonly jurisdiction: string };
  readonly externalRef?: string;
  readonly livenessSessionId: string;
  readonly capture: KioskCapture;
}

export interface KioskEnrollment {
  readonly subjectId: string;
  readonly externalRef: string;
  readonly consent: Consent & { readonly receipt: string };
  /** Shown once, printed on the receipt; facekey keeps only its HMAC. */
  readonly privacyCode: string;
  /** What is stored about the person, in plain words. */
  readonly kept: readonly string[];
  readonly liveness: LivenessEvidence;
  readonly enrollment: {
    readonly engine: EngineEvidence;
    readonly templateId: string;
    readonly source: 'kiosk_template' | 'kiosk_upload';
    readonly quality: number | null;
  };
}

/**
 * Where the analyses a kiosk streamed to its session wait for the enrollment that names them
 * (checkout/session-frames.ts holds them): taken once, bad indices refused, undefined when none are held.
 */
export interface StreamedEvidence {
  takeEvidence(sessionId: string, terminal: KioskTerminal, indices: readonly number[]): FaceAnalysis[] | undefined;
}

export interface KioskEnrollmentDeps {
  readonly biometrics: BiometricService;
  readonly consent: ConsentService;
  /** To withdraw a consent whose subject could not be created (compensation). */
  readonly consents: ConsentStore;
  readonly codes: PrivacyCodes;
  readonly wallet: WalletService;
  readonly livenessSessions: LivenessSessionRedeemer;
  /** The analyses kiosks stream to their sessions (`sessionFrames` in a capture); none: such a capture is refused. */
  readonly sessionFrames?: StreamedEvidence;
  readonly records: KioskEnrollmentRecords;
  readonly audit: AuditSink;
  /** The same burst policy the face pipeline judges uploaded bursts with (default: the built-in one). */
  readonly burstLiveness?: Partial<BurstLivenessPolicy>;
  readonly clock?: () => Date;
}

/**
 * Enroll at a kiosk: the burst answers the kiosk's liveness session (the same burst and challenge
 * judgement as checkout), then consent, subject, template (the same integrity checks as every
 * enrollment) and the privacy code, all or nothing. Afterwards, and only briefly, the same kiosk
 * links the consumer's card token and PIN.
 */
export class KioskEnrollmentService {
  private readonly clock: () => Date;

  constructor(private readonly deps: KioskEnrollmentDeps) {
    this.clock = deps.clock ?? (() => new Date());
  }

  async enroll(request: KioskEnrollmentRequest): Promise<KioskEnrollment> {
    const { terminal } = request;
    const { tenantId } = terminal;
    const actor = `terminal:${terminal.id}`;
    if (!request.consent.purposes.includes('payment')) throw new InvalidArgument('enrolling to pay by face needs the "payment" purpose');
    // Everything that can be refused without spending the session is checked first.
    const deviceTemplate = 'template' in request.capture ? await this.deviceTemplate(tenantId, request.capture.template) : undefined;
    const analyses =
      'frames' in request.capture
        ? request.capture.frames.map(checkedAnalysisOf)
        : 'sessionFrames' in request.capture
          ? this.streamedEvidence(request.livenessSessionId, terminal, request.capture.sessionFrames)
          : undefined;
    // The kiosk followed its frames' pixels (its photos stay with it): the same tracked judgement as the service's.
    const tracks = analyses && 'tracks' in request.capture && request.capture.tracks ? checkedTracksOf(request.capture.tracks, analyses.length) : null;

    const redeemed = await this.deps.livenessSessions.redeem(request.livenessSessionId, terminal, 'enrollment');
    if (!redeemed.ok) {
      await this.refused(tenantId, actor, [redeemed.reason]);
      throw new LivenessSessionRefused(`the liveness session cannot be answered: ${redeemed.reason}`, { reason: redeemed.reason });
    }
    const sessionId = request.livenessSessionId;

    let template: FaceTemplate;
    let liveness: LivenessEvidence;
    let capture: CaptureEvidence = {};
    if (deviceTemplate && analyses) {
      const judged = judgeBurst(analyses, { policy: this.deps.burstLiveness ?? {}, challenge: redeemed.challenge, tracks });
      liveness = burstEvidence(judged.liveness, { sessionId, verdict: judged.challenge! });
      template = deviceTemplate;
    } else {
      const images = (request.capture as { images: readonly Uint8Array[] }).images;
      const burst = await this.deps.biometrics.captureBurst(images, redeemed.challenge, tenantId).catch(async (error: unknown) => {
        await this.refused(tenantId, actor, [(error as { code?: string }).code ?? 'capture_failed']);
        throw error;
      });
      liveness = burstEvidence(burst.liveness, { sessionId, verdict: burst.challenge! });
      template = burst.template!;
      capture = burst.capture ?? {};
    }
    if (!liveness.passed) {
      const reasons = [...liveness.reasons, ...(liveness.challenge?.met === false ? ['challenge_not_met'] : [])];
      await this.refused(tenantId, actor, reasons);
      throw new SpoofSuspected(`the burst was not judged live: ${reasons.join(', ')}`, { reasons });
    }

    const granted = await this.deps.consent.grant(tenantId, actor, { ...request.consent, deviceId: terminal.id });
    const externalRef = request.externalRef ?? `kiosk-${randomBytes(9).toString('base64url')}`;
    let subjectId: string | undefined;
    try {
      subjectId = (await this.deps.consent.createSubject(tenantId, actor, { externalRef, consentId: granted.id })).id;
      const enrolled = await this.deps.biometrics.enroll(tenantId, subjectId, { template: encodeTemplate(template) }, { actor });
      const privacyCode = await this.deps.codes.issue({ tenantId, subjectId });
      await this.deps.records.record({ tenantId, subjectId, terminalId: terminal.id, enrolledAt: this.clock().toISOString() });
      const source = deviceTemplate ? 'kiosk_template' : 'kiosk_upload';
      await this.deps.audit.append({
        type: 'kiosk.enrolled',
        tenantId,
        actor,
        data: {
          subjectId,
          consentId: granted.id,
          templateId: enrolled.templateId,
          source,
          engine: `${enrolled.engine.id}@${enrolled.engine.version}`,
          liveness: { method: liveness.method, passed: liveness.passed, sessionId, challengeMet: liveness.challenge?.met ?? null },
        },
      });
      return {
        subjectId,
        externalRef,
        consent: granted,
        privacyCode,
        kept: keptFor(granted.purposes),
        liveness,
        enrollment: { engine: enrolled.engine, templateId: enrolled.templateId, source, quality: capture.quality?.score ?? null },
      };
    } catch (error) {
      await this.undo(tenantId, actor, granted.id, subjectId);
      await this.refused(tenantId, actor, [(error as { code?: string }).code ?? 'internal_error']);
      throw error;
    }
  }

  async linkToken(terminal: KioskTerminal, subjectId: string, tokenRef: string): Promise<void> {
    await this.requireEnrollingKiosk(terminal, subjectId);
    await this.deps.wallet.linkToken(terminal.tenantId, `terminal:${terminal.id}`, subjectId, tokenRef);
  }

  async setPin(terminal: KioskTerminal, subjectId: string, pin: string): Promise<void> {
    await this.requireEnrollingKiosk(terminal, subjectId);
    await this.deps.wallet.setSecondFactor(terminal.tenantId, subjectId, 'pin', pin);
    await this.deps.audit.append({ type: 'second_factor.set', tenantId: terminal.tenantId, actor: `terminal:${terminal.id}`, data: { subjectId, kind: 'pin' } });
  }

  /**
   * The analyses the kiosk streamed to this session, taken for this enrollment. None on this node (the
   * stream went to another, or expired): refused before the session is spent, so the kiosk can send
   * the frames' evidence whole, answering the same session.
   */
  private streamedEvidence(sessionId: string, terminal: KioskTerminal, indices: readonly number[]): FaceAnalysis[] {
    const analyses = this.deps.sessionFrames?.takeEvidence(sessionId, terminal, indices);
    if (!analyses)
      throw new LivenessSessionRefused('no frames were streamed to this liveness session on this node: send their evidence as "frames"', {
        reason: 'liveness_session_not_streamed',
      });
    return analyses;
  }

  /** A device template must decode (FKT1) and be of the tenant's active engine, as for any device template. */
  private async deviceTemplate(tenantId: string, bytes: Uint8Array): Promise<FaceTemplate> {
    const template = decodeTemplate(bytes);
    const active = await this.deps.biometrics.activeEngine(tenantId);
    if (template.engineId !== active.id || template.engineVersion !== active.version) {
      throw new EngineOutdated(
        `template of ${template.engineId}@${template.engineVersion}; this tenant enrolls with ${active.id}@${active.version}: update the kiosk's engine`,
        { template: `${template.engineId}@${template.engineVersion}`, activeEngineId: active.id, activeEngineVersion: active.version },
      );
    }
    return template;
  }

  private async requireEnrollingKiosk(terminal: KioskTerminal, subjectId: string): Promise<void> {
    const record = await this.deps.records.of(terminal.tenantId, subjectId);
    if (!record) throw new NotFound('no kiosk enrollment of this subject');
    if (record.terminalId !== terminal.id) throw new Forbidden('only the kiosk that enrolled the consumer may do this');
    const age = this.clock().getTime() - new Date(record.enrolledAt).getTime();
    if (age > KIOSK_FOLLOW_UP_MINUTES * 60_000)
      throw new Forbidden(`a kiosk links a card or PIN only within ${KIOSK_FOLLOW_UP_MINUTES} minutes of the enrollment`);
  }

  /**
   * A refusal after the consent was granted leaves nothing usable: the subject (if created) goes
   * through the ordinary opt-out erasure (templates, code, records, receipt); a consent that never
   * got its subject is withdrawn, and the retention sweep records its erasure.
   */
  private async undo(tenantId: string, actor: string, consentId: string, subjectId: string | undefined): Promise<void> {
    if (subjectId) {
      await this.deps.consent.optOut(tenantId, actor, subjectId, 'all');
      return;
    }
    await this.deps.consents.withdraw(tenantId, consentId, 'all', this.clock().toISOString());
    await this.deps.audit.append({ type: 'consent.withdrawn', tenantId, actor, data: { consentId, subjectId: null, purposes: 'all' } });
  }

  private async refused(tenantId: string, actor: string, reasons: readonly string[]): Promise<void> {
    await this.deps.audit.append({ type: 'kiosk.enrollment_refused', tenantId, actor, data: { reasons: [...reasons] } });
  }
}

/** What facekey keeps after a kiosk enrollment, as the consumer reads it on the receipt. */
export function keptFor(purposes: readonly ConsentPurpose[]): string[] {
  return [
    'Your consent: the text version you agreed to, the purposes, the jurisdiction, when and at which kiosk.',
    'One face template: numbers computed from your face, encrypted. No photo of you is kept.',
    'A reference number for you at this merchant.',
    'The card token you link, if any (a reference from the card network, never your card number).',
    'Your PIN, if you set one, only as a keyed hash.',
    ...(purposes.includes('personalization') ? ['What you ordered at this merchant, to suggest "your usual".'] : []),
    'A keyed hash of your privacy code (not the code): sign in at /privacy with it to see, download or erase all of this.',
  ];
}
