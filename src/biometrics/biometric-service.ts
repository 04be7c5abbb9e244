import type { FaceService } from '../pipeline/face-service.js';
import type { MultipleFacePolicy, ProcessedFace, ProcessResult } from '../pipeline/face-pipeline.js';
import type { LivenessVerdict } from '../pad/burst-liveness.js';
import type { ChallengeAction, ChallengeVerdict } from '../pad/challenge-evaluation.js';
import { requireAcceptableQuality } from '../quality/assess-quality.js';
import type { BiometricStore } from '../store/biometric-store.js';
import type { Calibration } from '../matcher/calibration/calibration-table.js';
import type { TemplateSpec, FaceTemplate } from '../templates/template.js';
import { decodeTemplate, encodeTemplate } from '../templates/template-codec.js';
import { assertComparable } from '../matcher/similarity.js';
import { decide, thresholdFor, type MatchDecision, type MatchThreshold } from '../matcher/decide.js';
import { dot } from '../math/vector-math.js';
import {
  ConsentMissing,
  DuplicateIdentity,
  EngineMismatch,
  FacekeyError,
  IdentityMismatch,
  InvalidArgument,
  NotFound,
  SpoofSuspected,
} from '../errors/domain-errors.js';
import { batchConsistency, type IntegrityEvidence } from './enrollment-integrity.js';
import type { GalleryRegistry } from './gallery-registry.js';
import { SubjectNotFound } from '../store/store-errors.js';
import type { AuditSink } from '../audit/audit-sink.js';
import type { AuditData } from '../audit/audit-entry.js';
import type { AuditEventType } from '../audit/audit-event-type.js';
import { SERVICE_DEFAULTS } from '../config/service-config.js';

/** Who asked, for the audit trail: `key:<keyId>`, `terminal:<id>`, `system:…`. */
export interface CallContext {
  readonly actor: string;
}

const UNATTRIBUTED: CallContext = { actor: 'unattributed' };

export interface BiometricCollaborators {
  /** Throws ConsentMissing unless the consent is active for payment; enrollment is refused without it. */
  readonly requireConsent?: (tenantId: string, consentId: string) => Promise<unknown>;
  readonly audit?: AuditSink;
  /** Sets when retained images expire; the platform's clock, so tests can move time. */
  readonly clock?: () => Date;
}

/** A probe or enrollment sample: a photo, or a template computed on a device. */
export type Sample = { readonly image: Uint8Array } | { readonly template: Uint8Array };

export interface BiometricPolicy {
  readonly maxTemplatesPerSubject: number;
  /** Used when a request names no target FMR. */
  readonly defaultTargetFmr: number;
  readonly maxCandidates: number;
  /**
   * Hours an accepted enrollment photo is kept, sealed with the subject's templates; 0 keeps none.
   * Device templates never carry an image, so they have nothing to keep.
   */
  readonly imageRetentionHours: number;
  /**
   * The operating point enrollment's identity checks decide at (same person as the subject's
   * templates and its batch; not another subject's face); as strict as verification by default.
   */
  readonly enrollmentTargetFmr: number;
}

export interface EnrollOptions {
  /**
   * Admit a face that matches another subject of the tenant (twins, a re-enrollment under a new
   * id). Only an admin key may ask (the route checks); the override lands in the audit trail.
   */
  readonly allowDuplicate?: boolean;
}

/**
 * How far below the threshold an approximate index score may sit and still be re-scored exactly:
 * above the largest int8 error measured by bench:search (0.012 at 1M templates).
 */
const APPROXIMATE_SCORE_MARGIN = 0.03;

export const DEFAULT_BIOMETRIC_POLICY: BiometricPolicy = {
  maxTemplatesPerSubject: 5,
  defaultTargetFmr: SERVICE_DEFAULTS.targetFmr,
  maxCandidates: 10,
  imageRetentionHours: 0,
  enrollmentTargetFmr: SERVICE_DEFAULTS.enrollmentTargetFmr,
};

export interface EngineEvidence {
  readonly id: string;
  readonly version: string;
}

export interface CaptureEvidence {
  readonly quality?: ProcessResult['selected']['quality'];
  readonly presentation?: ProcessResult['selected']['presentation'];
}

/** A 1:N search's answer: the people above the calibrated threshold, with the evidence of how it was set. */
export interface GallerySearch extends MatchThreshold {
  readonly candidates: Array<{ subjectId: string; score: number }>;
}

/** A match decision with its evidence (see matcher/decide.ts). */
export type Decision = MatchDecision;

/**
 * Enrollment, 1:1 verification and open-set 1:N identification for one engine. Every decision
 * returns its evidence: score, the calibrated threshold, the target FMR and the engine version.
 */
export class BiometricService {
  constructor(
    private readonly store: BiometricStore,
    private readonly faces: FaceService,
    private readonly calibration: Calibration,
    private readonly galleries: GalleryRegistry,
    private readonly engine: TemplateSpec,
    private readonly policy: BiometricPolicy = DEFAULT_BIOMETRIC_POLICY,
    private readonly collaborators: BiometricCollaborators = {},
  ) {}

  async enroll(
    tenantId: string,
    subjectId: string,
    sample: Sample,
    context: CallContext = UNATTRIBUTED,
    options: EnrollOptions = {},
  ): Promise<{ templateId: string; capture: CaptureEvidence; engine: EngineEvidence }> {
    await this.requireEnrollable(tenantId, subjectId);
    const captured = await this.captureForEnrollment(sample);
    return this.admit(tenantId, subjectId, sample, captured, context, options);
  }

  /**
   * Several captures for one subject: each goes through the gates on its own, so one blurred photo
   * does not cost the others; then the captures must be of one person (each matches the batch's
   * medoid), and each is admitted as a single enrollment would be. Refusals come back per index
   * with their codes and reasons.
   */
  async enrollMany(
    tenantId: string,
    subjectId: string,
    samples: readonly Sample[],
    context: CallContext = UNATTRIBUTED,
    options: EnrollOptions = {},
  ): Promise<{
    accepted: Array<{ index: number; templateId: string; capture: CaptureEvidence }>;
    refused: Array<{ index: number; code: string; message: string }>;
    engine: EngineEvidence;
  }> {
    // A missing subject or consent refuses the whole request, not one capture.
    await this.requireEnrollable(tenantId, subjectId);
    const accepted: Array<{ index: number; templateId: string; capture: CaptureEvidence }> = [];
    const refused: Array<{ index: number; code: string; message: string }> = [];
    const refuse = (index: number, error: unknown): void => {
      if (!(error instanceof FacekeyError) || error instanceof NotFound || error instanceof ConsentMissing) throw error;
      refused.push({ index, code: error.code, message: error.message });
    };
    const captured: Array<{ index: number; template: FaceTemplate; capture: CaptureEvidence }> = [];
    for (const [index, sample] of samples.entries()) {
      try {
        captured.push({ index, ...(await this.captureForEnrollment(sample)) });
      } catch (error) {
        refuse(index, error);
      }
    }
    const { threshold } = this.threshold(this.policy.enrollmentTargetFmr);
    const consistency = batchConsistency(
      captured.map((c) => c.template),
      threshold,
    );
    const outliers = new Set(consistency.inconsistent);
    for (const [position, { index, template, capture }] of captured.entries()) {
      try {
        if (outliers.has(position)) {
          throw new IdentityMismatch('this sample is not the same person as the rest of the batch', {
            score: consistency.scores[position]!,
            threshold,
            targetFmr: this.policy.enrollmentTargetFmr,
          });
        }
        const { templateId } = await this.admit(tenantId, subjectId, samples[index]!, { template, capture }, context, options);
        accepted.push({ index, templateId, capture });
      } catch (error) {
        refuse(index, error);
      }
    }
    refused.sort((a, b) => a.index - b.index);
    return { accepted, refused, engine: this.evidence() };
  }

  private async requireEnrollable(tenantId: string, subjectId: string): Promise<void> {
    const subject = await this.store.getSubject(tenantId, subjectId);
    if (!subject) throw new NotFound('subject not found');
    if (!subject.consentId) throw new ConsentMissing('the subject has no consent record; enrollment needs one');
    await this.collaborators.requireConsent?.(tenantId, subject.consentId);
  }

  /** An enrollment photo must show exactly one face: whose face a group photo enrolls is a guess. */
  private captureForEnrollment(sample: Sample): Promise<{ template: FaceTemplate; capture: CaptureEvidence }> {
    return this.capture(sample, 'error');
  }

  /**
   * The identity checks, then the store: the sample must be the subject's person (when it has
   * templates) and nobody else's in the tenant (unless an admin overrode it).
   */
  private async admit(
    tenantId: string,
    subjectId: string,
    sample: Sample,
    { template, capture }: { template: FaceTemplate; capture: CaptureEvidence },
    context: CallContext,
    options: EnrollOptions,
  ): Promise<{ templateId: string; capture: CaptureEvidence; engine: EngineEvidence }> {
    const integrity = await this.checkIntegrity(tenantId, subjectId, template, options);
    const { templateId } = await this.store.addTemplate({
      tenantId,
      subjectId,
      engineId: template.engineId,
      engineVersion: template.engineVersion,
      template: encodeTemplate(template),
      maxPerSubject: this.policy.maxTemplatesPerSubject,
    });
    // Kept only for a capture that passed the gates, bound to the template it became. Before the
    // index is touched: if the subject was deleted since addTemplate, this fails with SubjectNotFound
    // and no ghost template enters the gallery.
    const retainImage = 'image' in sample && this.policy.imageRetentionHours > 0;
    if (retainImage) {
      const now = this.collaborators.clock?.() ?? new Date();
      const expiresAt = new Date(now.getTime() + this.policy.imageRetentionHours * 3_600_000).toISOString();
      await this.store.retainImage({ tenantId, subjectId, templateId, image: sample.image, expiresAt });
    }
    this.galleries.add(tenantId, subjectId, templateId, template.vector);
    await this.audit(tenantId, context, 'enrollment', {
      subjectId,
      templateId,
      source: 'image' in sample ? 'image' : 'device_template',
      ...qualityEvidence(capture),
      ...integrityEvidence(integrity),
      // That a photo was kept, and for how long, is evidence an auditor needs; the photo itself never is.
      ...(retainImage ? { imageRetentionHours: this.policy.imageRetentionHours } : {}),
    });
    return { templateId, capture, engine: this.evidence() };
  }

  private async checkIntegrity(
    tenantId: string,
    subjectId: string,
    template: FaceTemplate,
    options: EnrollOptions,
  ): Promise<IntegrityEvidence> {
    const threshold = this.threshold(this.policy.enrollmentTargetFmr);
    const evidence = { threshold: threshold.threshold, targetFmr: threshold.targetFmr };
    const ownScore = await this.scoreSubject(tenantId, subjectId, template).catch((error: unknown) => {
      if (error instanceof NotFound) return null;
      throw error;
    });
    if (ownScore !== null && ownScore < threshold.threshold) {
      throw new IdentityMismatch("this sample is not the same person as the subject's templates", { score: ownScore, ...evidence });
    }
    const found = await this.search(tenantId, template, this.policy.enrollmentTargetFmr);
    const others = found.candidates.filter((c) => c.subjectId !== subjectId);
    if (others.length > 0 && !options.allowDuplicate) {
      // Which subject it matched stays out of the answer: an enroll key must not become an identification oracle.
      throw new DuplicateIdentity('this face is already enrolled under another subject of the tenant', {
        score: others[0]!.score,
        ...evidence,
      });
    }
    return { ownScore, threshold, ...(others.length > 0 ? { duplicateOverride: others } : {}) };
  }

  async verify(
    tenantId: string,
    subjectId: string,
    probe: Sample,
    targetFmr?: number,
    context: CallContext = UNATTRIBUTED,
  ): Promise<Decision & { capture: CaptureEvidence }> {
    const { template, capture } = await this.capture(probe);
    const score = await this.scoreSubject(tenantId, subjectId, template);
    const decision = this.decide(score, targetFmr);
    await this.audit(tenantId, context, 'verification', { subjectId, match: decision.match, ...decisionEvidence(decision) });
    return { ...decision, capture };
  }

  /** The best score of the probe against the subject's templates of this engine; NotFound without one. */
  async scoreSubject(tenantId: string, subjectId: string, probe: FaceTemplate): Promise<number> {
    const stored = await this.store.listTemplates(tenantId, subjectId);
    const references = stored
      .filter((t) => t.engineId === this.engine.id && t.engineVersion === this.engine.version)
      .map((t) => decodeTemplate(t.template));
    if (references.length === 0) throw new NotFound(`subject has no ${this.engine.id} template`);
    for (const r of references) assertComparable(probe, r);
    return Math.max(...references.map((r) => dot(r.vector, probe.vector)));
  }

  async identify(
    tenantId: string,
    probe: Sample,
    targetFmr?: number,
    context: CallContext = UNATTRIBUTED,
  ): Promise<GallerySearch & { capture: CaptureEvidence }> {
    const { template, capture } = await this.capture(probe);
    const found = await this.search(tenantId, template, targetFmr);
    await this.audit(tenantId, context, 'identification', {
      candidates: found.candidates.map((c) => ({ subjectId: c.subjectId, score: c.score })),
      gallerySize: this.gallerySize(tenantId),
      ...decisionEvidence({ ...found, score: found.candidates[0]?.score ?? 0 }),
    });
    return { ...found, capture };
  }

  /**
   * Open set: only candidates above the calibrated threshold, so a stranger gets none. The index
   * may score approximately (int8 HNSW for large galleries), so every subject near the threshold
   * is re-scored exactly from its stored float templates before anything is decided: the
   * calibrated thresholds hold for exact cosine scores.
   */
  async search(tenantId: string, probe: FaceTemplate, targetFmr?: number): Promise<GallerySearch> {
    const { threshold, targetFmr: fmr, thresholdMethod, engine } = this.threshold(targetFmr);
    const nearThreshold = new Set<string>();
    for (const hit of this.galleries.search(tenantId, probe.vector, this.policy.maxCandidates)) {
      if (hit.score >= threshold - APPROXIMATE_SCORE_MARGIN) nearThreshold.add(hit.subjectId);
    }
    const candidates = (await this.scoreSubjects(tenantId, [...nearThreshold], probe)).filter((c) => c.score >= threshold);
    return { candidates, threshold, targetFmr: fmr, thresholdMethod, engine };
  }

  /**
   * The one re-scoring loop: exact scores of the probe against each subject's stored templates,
   * best first. A subject erased (or without a template of this engine) since it was listed is
   * simply not scored.
   */
  async scoreSubjects(
    tenantId: string,
    subjectIds: readonly string[],
    probe: FaceTemplate,
  ): Promise<Array<{ subjectId: string; score: number }>> {
    const scored: Array<{ subjectId: string; score: number }> = [];
    for (const subjectId of subjectIds) {
      const score = await this.scoreSubject(tenantId, subjectId, probe).catch((error: unknown) => {
        if (error instanceof NotFound || error instanceof SubjectNotFound) return null;
        throw error;
      });
      if (score !== null) scored.push({ subjectId, score });
    }
    return scored.sort((a, b) => b.score - a.score);
  }

  /** Templates in the tenant's gallery: each one is a chance of a false match for a stranger's probe. */
  gallerySize(tenantId: string): number {
    return this.galleries.size(tenantId);
  }

  async deleteSubject(tenantId: string, subjectId: string): Promise<boolean> {
    const deleted = await this.store.deleteSubject(tenantId, subjectId);
    if (deleted) this.galleries.removeSubject(tenantId, subjectId);
    return deleted;
  }

  /** The score decided at this service's engine and the target FMR (the service default when none is given). */
  decide(score: number, targetFmr: number | undefined): Decision {
    return decide(score, this.evidence(), targetFmr ?? this.policy.defaultTargetFmr, this.calibration);
  }

  /** The calibrated threshold this service decides at for a target FMR, with its evidence. */
  threshold(targetFmr: number | undefined): MatchThreshold {
    return thresholdFor(this.calibration, this.evidence(), targetFmr ?? this.policy.defaultTargetFmr);
  }

  private async audit(tenantId: string, context: CallContext, type: AuditEventType, data: AuditData): Promise<void> {
    await this.collaborators.audit?.append({ type, tenantId, actor: context.actor, data });
  }

  private evidence(): EngineEvidence {
    return { id: this.engine.id, version: this.engine.version };
  }

  /** A photo goes through the pipeline and its quality and PAD gates; a device template is checked for its engine. */
  async capture(
    sample: Sample,
    multipleFaces: MultipleFacePolicy = 'largest',
  ): Promise<{ template: FaceTemplate; capture: CaptureEvidence }> {
    if ('template' in sample) {
      const template = decodeTemplate(sample.template);
      if (template.engineId !== this.engine.id || template.engineVersion !== this.engine.version) {
        throw new EngineMismatch(
          `template of ${template.engineId}@${template.engineVersion}; this service matches ${this.engine.id}@${this.engine.version}`,
          {
            template: `${template.engineId}@${template.engineVersion}`,
            service: `${this.engine.id}@${this.engine.version}`,
          },
        );
      }
      return { template, capture: {} };
    }
    if (sample.image.length === 0) throw new InvalidArgument('empty image');
    const result = await this.faces.process(sample.image, { engines: [this.engine.id], multipleFaces });
    return gatedCapture(result.selected);
  }

  /**
   * A burst: its liveness verdict, and when live, the best frame's template through the same PAD
   * and quality gates as a photo. One task on the face service: the frames are analysed once.
   */
  async captureBurst(
    frames: readonly Uint8Array[],
    challenge?: readonly ChallengeAction[],
  ): Promise<{ liveness: LivenessVerdict; challenge?: ChallengeVerdict; template?: FaceTemplate; capture?: CaptureEvidence }> {
    if (frames.some((frame) => frame.length === 0)) throw new InvalidArgument('empty frame in the burst');
    const result = await this.faces.assessBurst(frames, { engines: [this.engine.id], ...(challenge ? { challenge } : {}) });
    const { liveness, best } = result;
    const answered = result.challenge ? { challenge: result.challenge } : {};
    if (challenge && !result.challenge) throw new Error('the face service did not evaluate the challenge it was given');
    if (!liveness.live || result.challenge?.met === false) return { liveness, ...answered };
    if (!best) throw new Error('the face service returned a live burst without its best frame');
    return { liveness, ...answered, ...gatedCapture(best) };
  }
}

/** The one gate a photo or a burst's best frame passes: presentation attack first, then quality. */
function gatedCapture(selected: Pick<ProcessedFace, 'quality' | 'presentation' | 'templates'>): {
  template: FaceTemplate;
  capture: CaptureEvidence;
} {
  const { quality, presentation, templates } = selected;
  if (!presentation.passed)
    throw new SpoofSuspected(`presentation attack suspected: ${presentation.reasons.join(', ')}`, { reasons: presentation.reasons });
  requireAcceptableQuality(quality);
  return { template: decodeTemplate(templates[0]!.template), capture: { quality, presentation } };
}

function decisionEvidence(decision: MatchThreshold & { readonly score: number }): AuditData {
  return {
    score: decision.score,
    threshold: decision.threshold,
    targetFmr: decision.targetFmr,
    thresholdMethod: decision.thresholdMethod,
    engine: `${decision.engine.id}@${decision.engine.version}`,
  };
}

/** What the identity checks measured; an admin's duplicate override names the subjects it overrode. */
function integrityEvidence(integrity: IntegrityEvidence): AuditData {
  return {
    identity: {
      ownScore: integrity.ownScore,
      threshold: integrity.threshold.threshold,
      targetFmr: integrity.threshold.targetFmr,
    },
    ...(integrity.duplicateOverride
      ? { duplicateOverride: integrity.duplicateOverride.map((d) => ({ subjectId: d.subjectId, score: d.score })) }
      : {}),
  };
}

/** Quality and PAD verdicts are evidence; the capture itself never reaches the audit trail. */
function qualityEvidence(capture: CaptureEvidence): AuditData {
  if (!capture.quality) return {};
  return {
    quality: capture.quality.score,
    presentationPassed: capture.presentation?.passed ?? null,
  };
}
