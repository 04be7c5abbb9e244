import type { FaceService } from '../pipeline/face-service.js';
import type { ProcessResult } from '../pipeline/face-pipeline.js';
import type { BiometricStore } from '../store/biometric-store.js';
import type { Calibration } from '../matcher/calibration/calibration-table.js';
import type { TemplateSpec, FaceTemplate } from '../templates/template.js';
import { decodeTemplate, encodeTemplate } from '../templates/template-codec.js';
import { assertComparable } from '../matcher/similarity.js';
import { dot } from '../matcher/vector-math.js';
import {
  ConsentMissing,
  EngineMismatch,
  FacekeyError,
  InvalidArgument,
  NotFound,
  QualityTooLow,
  SpoofSuspected,
} from '../errors/domain-errors.js';
import type { GalleryRegistry } from './gallery-registry.js';

/** A probe or enrollment sample: a photo, or a template computed on a device. */
export type Sample = { readonly image: Uint8Array } | { readonly template: Uint8Array };

export interface BiometricPolicy {
  readonly maxTemplatesPerSubject: number;
  /** Used when a request names no target FMR. */
  readonly defaultTargetFmr: number;
  readonly maxCandidates: number;
}

export const DEFAULT_BIOMETRIC_POLICY: BiometricPolicy = { maxTemplatesPerSubject: 5, defaultTargetFmr: 1e-5, maxCandidates: 10 };

export interface EngineEvidence {
  readonly id: string;
  readonly version: string;
}

export interface CaptureEvidence {
  readonly quality?: ProcessResult['selected']['quality'];
  readonly presentation?: ProcessResult['selected']['presentation'];
}

export interface Decision {
  readonly score: number;
  readonly threshold: number;
  readonly targetFmr: number;
  readonly thresholdMethod: string;
  readonly engine: EngineEvidence;
}

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
  ) {}

  async enroll(
    tenantId: string,
    subjectId: string,
    sample: Sample,
  ): Promise<{ templateId: string; capture: CaptureEvidence; engine: EngineEvidence }> {
    const subject = await this.store.getSubject(tenantId, subjectId);
    if (!subject) throw new NotFound('subject not found');
    if (!subject.consentId) throw new ConsentMissing('the subject has no consent record; enrollment needs one');
    const { template, capture } = await this.templateOf(sample, { gate: true });
    const { templateId } = await this.store.addTemplate({
      tenantId,
      subjectId,
      engineId: template.engineId,
      engineVersion: template.engineVersion,
      template: encodeTemplate(template),
      maxPerSubject: this.policy.maxTemplatesPerSubject,
    });
    this.galleries.add(tenantId, subjectId, templateId, template.vector);
    return { templateId, capture, engine: this.evidence() };
  }

  /**
   * Several captures for one subject: each goes through the gates on its own, so one blurred photo
   * does not cost the others; refusals come back with their codes and reasons.
   */
  async enrollMany(
    tenantId: string,
    subjectId: string,
    samples: readonly Sample[],
  ): Promise<{
    accepted: Array<{ index: number; templateId: string; capture: CaptureEvidence }>;
    refused: Array<{ index: number; code: string; message: string }>;
    engine: EngineEvidence;
  }> {
    const accepted: Array<{ index: number; templateId: string; capture: CaptureEvidence }> = [];
    const refused: Array<{ index: number; code: string; message: string }> = [];
    for (const [index, sample] of samples.entries()) {
      try {
        const { templateId, capture } = await this.enroll(tenantId, subjectId, sample);
        accepted.push({ index, templateId, capture });
      } catch (error) {
        // A missing subject or consent refuses the whole request, not one capture.
        if (!(error instanceof FacekeyError) || error instanceof NotFound || error instanceof ConsentMissing) throw error;
        refused.push({ index, code: error.code, message: error.message });
      }
    }
    return { accepted, refused, engine: this.evidence() };
  }

  async verify(
    tenantId: string,
    subjectId: string,
    probe: Sample,
    targetFmr?: number,
  ): Promise<Decision & { match: boolean; capture: CaptureEvidence }> {
    const stored = await this.store.listTemplates(tenantId, subjectId);
    const { template, capture } = await this.templateOf(probe, { gate: true });
    const references = stored
      .filter((t) => t.engineId === this.engine.id && t.engineVersion === this.engine.version)
      .map((t) => decodeTemplate(t.template));
    if (references.length === 0) throw new NotFound(`subject has no ${this.engine.id} template`);
    for (const r of references) assertComparable(template, r);
    const score = Math.max(...references.map((r) => dot(r.vector, template.vector)));
    const decision = this.decide(score, targetFmr);
    return { ...decision, match: score >= decision.threshold, capture };
  }

  async identify(
    tenantId: string,
    probe: Sample,
    targetFmr?: number,
  ): Promise<{
    candidates: Array<{ subjectId: string; score: number }>;
    threshold: number;
    targetFmr: number;
    thresholdMethod: string;
    engine: EngineEvidence;
    capture: CaptureEvidence;
  }> {
    const { template, capture } = await this.templateOf(probe, { gate: true });
    const { threshold, targetFmr: fmr, thresholdMethod, engine } = this.decide(0, targetFmr);
    // Open set: only candidates above the calibrated threshold, so a stranger gets none.
    const candidates = this.galleries
      .search(tenantId, template.vector, this.policy.maxCandidates)
      .filter((hit) => hit.score >= threshold)
      .map((hit) => ({ subjectId: hit.subjectId, score: hit.score }));
    return { candidates, threshold, targetFmr: fmr, thresholdMethod, engine, capture };
  }

  async deleteSubject(tenantId: string, subjectId: string): Promise<boolean> {
    const deleted = await this.store.deleteSubject(tenantId, subjectId);
    if (deleted) this.galleries.removeSubject(tenantId, subjectId);
    return deleted;
  }

  private decide(score: number, targetFmr: number | undefined): Decision {
    const fmr = targetFmr ?? this.policy.defaultTargetFmr;
    const t = this.calibration.thresholdFor(this.engine.id, this.engine.version, fmr);
    return { score, threshold: t.threshold, targetFmr: fmr, thresholdMethod: t.method, engine: this.evidence() };
  }

  private evidence(): EngineEvidence {
    return { id: this.engine.id, version: this.engine.version };
  }

  /** A photo goes through the pipeline and its quality and PAD gates; a device template is checked for its engine. */
  private async templateOf(sample: Sample, { gate }: { gate: boolean }): Promise<{ template: FaceTemplate; capture: CaptureEvidence }> {
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
    const result = await this.faces.process(sample.image, { engines: [this.engine.id], multipleFaces: 'largest' });
    const { quality, presentation, templates } = result.selected;
    if (gate && !presentation.passed)
      throw new SpoofSuspected(`presentation attack suspected: ${presentation.reasons.join(', ')}`, { reasons: presentation.reasons });
    if (gate && !quality.acceptable) {
      throw new QualityTooLow(`capture refused: ${quality.reasons.map((r) => r.message).join('; ')}`, {
        reasons: quality.reasons.map((r) => r.code),
      });
    }
    return { template: decodeTemplate(templates[0]!.template), capture: { quality, presentation } };
  }
}
