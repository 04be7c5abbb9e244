import type { FaceService } from '../pipeline/face-service.js';
import type { AnalysedBurstFrame, AnalysedFrame, BurstResult, MultipleFacePolicy, ProcessedFace, ProcessResult } from '../pipeline/face-pipeline.js';
import type { BurstTracks } from '../pad/burst-tracks.js';
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
  EngineOutdated,
  FacekeyError,
  IdentityMismatch,
  InvalidArgument,
  NotFound,
  SpoofSuspected,
} from '../errors/domain-errors.js';
import { batchConsistency, type IntegrityEvidence } from './enrollment-integrity.js';
import { GalleryRegistry } from './gallery-registry.js';
import { EngineGalleries, engineKey } from './engine-galleries.js';
import type { ActiveEngine } from './tenant-engines.js';
import { SubjectNotFound, TemplateLimitReached } from '../store/store-errors.js';
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
  /** Each tenant's active engine (TenantEngines); without it every tenant uses the service's engine. */
  readonly engines?: { activeFor(tenantId: string): Promise<ActiveEngine> };
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

/**
 * One subject scored against a probe: with the tenant's active engine when the subject has a
 * template of it, otherwise with the first older engine it has (a subject not yet migrated), each
 * at that engine's own calibrated threshold. A subject is scored once, by one engine.
 */
export interface SubjectMatch extends MatchDecision {
  readonly subjectId: string;
}

/**
 * A 1:N search's answer: the people above their engine's calibrated threshold, and the threshold
 * evidence of the tenant's active engine. `templatesSearched` counts every template that could have
 * matched: the active engine's, plus the older engines' templates of subjects not yet migrated.
 */
export interface GallerySearch extends MatchThreshold {
  readonly candidates: SubjectMatch[];
  readonly templatesSearched: number;
}

/** A probe as the tenant's engines see it: the active engine's template first, then older engines'. */
export type ProbeTemplates = FaceTemplate | readonly FaceTemplate[];

function probeList(probe: ProbeTemplates): readonly FaceTemplate[] {
  return 'vector' in probe ? [probe] : probe;
}

function sameEngine(a: { id: string; version: string }, template: FaceTemplate): boolean {
  return template.engineId === a.id && template.engineVersion === a.version;
}

/** A match decision with its evidence (see matcher/decide.ts). */
export type Decision = MatchDecision;

/**
 * Enrollment, 1:1 verification and open-set 1:N identification for one engine. Every decision
 * returns its evidence: score, the calibrated threshold, the target FMR and the engine version.
 */
export class BiometricService {
  private readonly galleries: EngineGalleries;

  constructor(
    private readonly store: BiometricStore,
    private readonly faces: FaceService,
    private readonly calibration: Calibration,
    galleries: GalleryRegistry | EngineGalleries,
    /** The platform's engine: every tenant's, unless TenantEngines says otherwise. */
    private readonly engine: TemplateSpec,
    private readonly policy: BiometricPolicy = DEFAULT_BIOMETRIC_POLICY,
    private readonly collaborators: BiometricCollaborators = {},
  ) {
    this.galleries = galleries instanceof GalleryRegistry ? new EngineGalleries([galleries]) : galleries;
  }

  /** The engine the tenant enrolls with and searches first. */
  async activeEngine(tenantId: string): Promise<TemplateSpec> {
    return (await this.collaborators.engines?.activeFor(tenantId))?.engine ?? this.engine;
  }

  /**
   * The engines a probe of this tenant needs templates of: the active one, then every other engine
   * the service runs that still holds subjects of the tenant without an active-engine template.
   * Once every subject is migrated the older engines drop out: search uses the active engine only.
   */
  async enginesFor(tenantId: string): Promise<TemplateSpec[]> {
    const active = await this.activeEngine(tenantId);
    const older = this.galleries
      .engines()
      .filter((e) => engineKey(e) !== engineKey(active) && this.notMigrated(tenantId, e, active).subjects > 0);
    return [active, ...older];
  }

  /** Subjects (and their templates) of an older engine's gallery with no template of the active engine yet. */
  private notMigrated(tenantId: string, older: EngineEvidence, active: EngineEvidence): { subjects: number; templates: number } {
    const olderGallery = this.galleries.of(older);
    const activeGallery = this.galleries.of(active);
    let subjects = 0;
    let templates = 0;
    for (const [subjectId, count] of olderGallery?.subjects(tenantId) ?? []) {
      if (activeGallery?.hasSubject(tenantId, subjectId)) continue;
      subjects++;
      templates += count;
    }
    return { subjects, templates };
  }

  async enroll(
    tenantId: string,
    subjectId: string,
    sample: Sample,
    context: CallContext = UNATTRIBUTED,
    options: EnrollOptions = {},
  ): Promise<{ templateId: string; capture: CaptureEvidence; engine: EngineEvidence }> {
    await this.requireEnrollable(tenantId, subjectId);
    const captured = await this.captureForEnrollment(tenantId, sample);
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
        captured.push({ index, ...(await this.captureForEnrollment(tenantId, sample)) });
      } catch (error) {
        refuse(index, error);
      }
    }
    const active = await this.activeEngine(tenantId);
    const { threshold } = this.threshold(this.policy.enrollmentTargetFmr, active);
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
    return { accepted, refused, engine: evidenceOf(active) };
  }

  private async requireEnrollable(tenantId: string, subjectId: string): Promise<void> {
    const subject = await this.store.getSubject(tenantId, subjectId);
    if (!subject) throw new NotFound('subject not found');
    if (!subject.consentId) throw new ConsentMissing('the subject has no consent record; enrollment needs one');
    await this.collaborators.requireConsent?.(tenantId, subject.consentId);
  }

  /** An enrollment photo must show exactly one face: whose face a group photo enrolls is a guess. */
  // Enrollment stores the tenant's active engine's template only: older engines are searched, never extended.
  private captureForEnrollment(tenantId: string, sample: Sample): Promise<{ template: FaceTemplate; capture: CaptureEvidence }> {
    return this.capture(sample, 'error', tenantId, 'enroll');
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
    const { templateId } = await this.storeTemplate(tenantId, subjectId, template);
    // Kept only for a capture that passed the gates, bound to the template it became. Before the
    // index is touched: if the subject was deleted since addTemplate, this fails with SubjectNotFound
    // and no ghost template enters the gallery.
    const retainImage = 'image' in sample && this.policy.imageRetentionHours > 0;
    if (retainImage) {
      const now = this.collaborators.clock?.() ?? new Date();
      const expiresAt = new Date(now.getTime() + this.policy.imageRetentionHours * 3_600_000).toISOString();
      await this.store.retainImage({ tenantId, subjectId, templateId, image: sample.image, expiresAt });
    }
    this.galleries.add(tenantId, subjectId, templateId, template);
    await this.audit(tenantId, context, 'enrollment', {
      subjectId,
      templateId,
      source: 'image' in sample ? 'image' : 'device_template',
      ...qualityEvidence(capture),
      ...integrityEvidence(integrity),
      // That a photo was kept, and for how long, is evidence an auditor needs; the photo itself never is.
      ...(retainImage ? { imageRetentionHours: this.policy.imageRetentionHours } : {}),
    });
    return { templateId, capture, engine: { id: template.engineId, version: template.engineVersion } };
  }

  private async checkIntegrity(
    tenantId: string,
    subjectId: string,
    template: FaceTemplate,
    options: EnrollOptions,
  ): Promise<IntegrityEvidence> {
    // The engine the sample was embedded with: the tenant's active one.
    const threshold = this.threshold(this.policy.enrollmentTargetFmr, { id: template.engineId, version: template.engineVersion });
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
    const { templates, capture } = await this.capture(probe, 'largest', tenantId);
    const [scored] = await this.scoreSubjects(tenantId, [subjectId], templates, targetFmr);
    if (!scored) {
      if (!(await this.store.getSubject(tenantId, subjectId))) throw new NotFound('subject not found');
      throw new NotFound(`subject has no template of ${templates.map((t) => t.engineId).join(' or ')}`);
    }
    const { subjectId: _scoredSubject, ...decision } = scored;
    if (decision.match) await this.migrateOnUse(tenantId, subjectId, templates, decision.engine, context);
    await this.audit(tenantId, context, 'verification', { subjectId, match: decision.match, ...decisionEvidence(decision) });
    return { ...decision, capture };
  }

  /** The best score of the probe against the subject's templates of the probe's engine; NotFound without one. */
  async scoreSubject(tenantId: string, subjectId: string, probe: FaceTemplate): Promise<number> {
    const stored = await this.store.listTemplates(tenantId, subjectId);
    const references = stored
      .filter((t) => t.engineId === probe.engineId && t.engineVersion === probe.engineVersion)
      .map((t) => decodeTemplate(t.template));
    if (references.length === 0) throw new NotFound(`subject has no ${probe.engineId} template`);
    for (const r of references) assertComparable(probe, r);
    return Math.max(...references.map((r) => dot(r.vector, probe.vector)));
  }

  /**
   * Engine upgrade without re-enrollment: a subject just matched with an older engine gets a
   * template of the tenant's active engine, computed from the same live capture, provided its
   * consent still covers payment. A subject already migrated, at its template limit or without
   * consent is left as it is; the match itself stands either way.
   */
  async migrateOnUse(
    tenantId: string,
    subjectId: string,
    probe: ProbeTemplates,
    matchedWith: { id: string; version: string },
    context: CallContext = UNATTRIBUTED,
  ): Promise<{ templateId: string } | undefined> {
    const active = await this.activeEngine(tenantId);
    if (engineKey(matchedWith) === engineKey(active)) return undefined;
    const template = probeList(probe).find((t) => sameEngine(active, t));
    if (!template || this.galleries.of(active)?.hasSubject(tenantId, subjectId)) return undefined;
    if (!(await this.consentPermits(tenantId, subjectId))) return undefined;
    return this.addMigratedTemplate(tenantId, subjectId, template, matchedWith, 'live_capture', context);
  }

  /**
   * The background half of an engine upgrade: the retained enrollment photos (where the operator
   * keeps them, FACEKEY_IMAGE_RETENTION_HOURS) of the tenant's subjects not yet migrated are run
   * through the active engine, each through the same quality and PAD gates as a new enrollment.
   * Subjects without a photo, or whose consent no longer covers payment, wait for their next use.
   */
  async reembedRetained(
    tenantId: string,
    context: CallContext = { actor: 'system:engine-migration' },
  ): Promise<{ migrated: number; withoutImage: number; refused: number }> {
    const [active, ...older] = await this.enginesFor(tenantId);
    const outcome = { migrated: 0, withoutImage: 0, refused: 0 };
    if (!active || older.length === 0) return outcome;
    const now = (this.collaborators.clock?.() ?? new Date()).toISOString();
    for (const from of older) {
      for (const subjectId of this.galleries.of(from)!.subjects(tenantId).keys()) {
        if (this.galleries.of(active)?.hasSubject(tenantId, subjectId)) continue;
        const images = await this.store.retainedImages(tenantId, subjectId, now).catch((error: unknown) => {
          if (error instanceof SubjectNotFound) return [];
          throw error;
        });
        if (images.length === 0 || !(await this.consentPermits(tenantId, subjectId))) {
          outcome.withoutImage += images.length === 0 ? 1 : 0;
          continue;
        }
        let stored = false;
        for (const { image } of images) {
          try {
            const { template } = await this.capture({ image }, 'error', tenantId, 'enroll');
            stored = (await this.addMigratedTemplate(tenantId, subjectId, template, from, 'retained_image', context)) !== undefined || stored;
          } catch (error) {
            // A photo the gates now refuse is skipped; the subject migrates on its next use instead.
            if (!(error instanceof FacekeyError)) throw error;
          }
        }
        if (stored) outcome.migrated++;
        else outcome.refused++;
      }
    }
    return outcome;
  }

  /** Every tenant with an older engine's templates: re-embeds what retained photos allow. */
  async reembedAllRetained(): Promise<{ migrated: number; withoutImage: number; refused: number }> {
    const total = { migrated: 0, withoutImage: 0, refused: 0 };
    for (const tenantId of this.galleries.tenantIds()) {
      const one = await this.reembedRetained(tenantId);
      total.migrated += one.migrated;
      total.withoutImage += one.withoutImage;
      total.refused += one.refused;
    }
    return total;
  }

  /** Whether the subject's consent still covers payment: a new template is only ever made under it. */
  private async consentPermits(tenantId: string, subjectId: string): Promise<boolean> {
    const subject = await this.store.getSubject(tenantId, subjectId);
    if (!subject?.consentId) return false;
    try {
      await this.collaborators.requireConsent?.(tenantId, subject.consentId);
      return true;
    } catch (error) {
      if (error instanceof ConsentMissing) return false;
      throw error;
    }
  }

  /** Encoded and stored, within the policy's templates per subject and engine (else the store throws TemplateLimitReached). */
  private storeTemplate(tenantId: string, subjectId: string, template: FaceTemplate): Promise<{ templateId: string }> {
    return this.store.addTemplate({
      tenantId,
      subjectId,
      engineId: template.engineId,
      engineVersion: template.engineVersion,
      template: encodeTemplate(template),
      maxPerSubject: this.policy.maxTemplatesPerSubject,
    });
  }

  private async addMigratedTemplate(
    tenantId: string,
    subjectId: string,
    template: FaceTemplate,
    from: { id: string; version: string },
    source: 'live_capture' | 'retained_image',
    context: CallContext,
  ): Promise<{ templateId: string } | undefined> {
    let templateId: string;
    try {
      ({ templateId } = await this.storeTemplate(tenantId, subjectId, template));
    } catch (error) {
      if (error instanceof TemplateLimitReached || error instanceof SubjectNotFound) return undefined;
      throw error;
    }
    this.galleries.add(tenantId, subjectId, templateId, template);
    await this.audit(tenantId, context, 'template.migrated', {
      subjectId,
      templateId,
      from: engineKey(from),
      to: engineKey({ id: template.engineId, version: template.engineVersion }),
      source,
    });
    return { templateId };
  }

  /**
   * How far the tenant's subjects have moved to its active engine: subjects with a template of any
   * engine the service runs, those with one of the active engine, and the count per engine.
   */
  async migrationProgress(tenantId: string): Promise<{
    activeEngine: EngineEvidence;
    subjectsTotal: number;
    migrated: number;
    percent: number;
    byEngine: Array<{ engine: EngineEvidence; subjects: number; templates: number }>;
  }> {
    const active = await this.activeEngine(tenantId);
    const everyone = new Set<string>();
    const byEngine = this.galleries.engines().map((engine) => {
      const subjects = this.galleries.of(engine)!.subjects(tenantId);
      for (const subjectId of subjects.keys()) everyone.add(subjectId);
      return { engine: evidenceOf(engine), subjects: subjects.size, templates: [...subjects.values()].reduce((a, b) => a + b, 0) };
    });
    const migrated = this.galleries.of(active)?.subjects(tenantId).size ?? 0;
    const subjectsTotal = everyone.size;
    // Nobody enrolled means nothing is left to migrate.
    const percent = subjectsTotal === 0 ? 100 : Math.floor((1000 * migrated) / subjectsTotal) / 10;
    return { activeEngine: evidenceOf(active), subjectsTotal, migrated, percent, byEngine };
  }

  async identify(
    tenantId: string,
    probe: Sample,
    targetFmr?: number,
    context: CallContext = UNATTRIBUTED,
  ): Promise<GallerySearch & { capture: CaptureEvidence }> {
    const { templates, capture } = await this.capture(probe, 'largest', tenantId);
    const found = await this.search(tenantId, templates, targetFmr);
    await this.audit(tenantId, context, 'identification', {
      candidates: found.candidates.map((c) => ({ subjectId: c.subjectId, score: c.score, engine: engineKey(c.engine) })),
      gallerySize: found.templatesSearched,
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
  async search(tenantId: string, probe: ProbeTemplates, targetFmr?: number): Promise<GallerySearch> {
    const probes = probeList(probe);
    const first = probes[0];
    if (!first) throw new InvalidArgument('a search needs a probe template');
    const active = { id: first.engineId, version: first.engineVersion };
    const activeGallery = this.galleries.of(active);
    const nearThreshold = new Set<string>();
    let templatesSearched = activeGallery?.size(tenantId) ?? 0;
    for (const p of probes) {
      const engine = { id: p.engineId, version: p.engineVersion };
      const gallery = this.galleries.of(engine);
      if (!gallery) continue;
      const { threshold } = this.threshold(targetFmr, engine);
      let k = this.policy.maxCandidates;
      if (p !== first) {
        // An older engine stands in only for subjects the active one cannot score yet; the ones it
        // holds that are migrated are skipped below, so the search reaches past them.
        const left = this.notMigrated(tenantId, engine, active);
        if (left.subjects === 0) continue;
        templatesSearched += left.templates;
        k += gallery.subjects(tenantId).size - left.subjects;
      }
      for (const hit of gallery.search(tenantId, p.vector, k)) {
        if (p !== first && activeGallery?.hasSubject(tenantId, hit.subjectId)) continue;
        if (hit.score >= threshold - APPROXIMATE_SCORE_MARGIN) nearThreshold.add(hit.subjectId);
      }
    }
    const candidates = (await this.scoreSubjects(tenantId, [...nearThreshold], probes, targetFmr)).filter((c) => c.match);
    return { candidates, templatesSearched, ...this.threshold(targetFmr, active) };
  }

  /**
   * The one re-scoring loop: exact scores of the probe against each subject's stored templates,
   * each subject with the first engine of the probe it has templates of (the active engine first),
   * decided at that engine's calibrated threshold; best margin over the threshold first. A subject
   * erased (or without a template of any of the probe's engines) since it was listed is not scored.
   */
  async scoreSubjects(tenantId: string, subjectIds: readonly string[], probe: ProbeTemplates, targetFmr?: number): Promise<SubjectMatch[]> {
    const probes = probeList(probe);
    const scored: SubjectMatch[] = [];
    for (const subjectId of subjectIds) {
      const stored = await this.store.listTemplates(tenantId, subjectId).catch((error: unknown) => {
        if (error instanceof NotFound || error instanceof SubjectNotFound) return [];
        throw error;
      });
      const p = probes.find((t) => stored.some((s) => s.engineId === t.engineId && s.engineVersion === t.engineVersion));
      if (!p) continue;
      const references = stored.filter((s) => s.engineId === p.engineId && s.engineVersion === p.engineVersion).map((s) => decodeTemplate(s.template));
      for (const r of references) assertComparable(p, r);
      const score = Math.max(...references.map((r) => dot(r.vector, p.vector)));
      scored.push({ subjectId, ...this.decide(score, targetFmr, { id: p.engineId, version: p.engineVersion }) });
    }
    return scored.sort((a, b) => b.score - b.threshold - (a.score - a.threshold));
  }

  /** Templates of every engine in the tenant's galleries. */
  gallerySize(tenantId: string): number {
    return this.galleries.engines().reduce((sum, engine) => sum + this.galleries.of(engine)!.size(tenantId), 0);
  }

  async deleteSubject(tenantId: string, subjectId: string): Promise<boolean> {
    const deleted = await this.store.deleteSubject(tenantId, subjectId);
    if (deleted) this.galleries.removeSubject(tenantId, subjectId);
    return deleted;
  }

  /** The score decided at an engine (the service's by default) and the target FMR (the service default when none is given). */
  decide(score: number, targetFmr: number | undefined, engine: EngineEvidence = this.evidence()): Decision {
    return decide(score, evidenceOf(engine), targetFmr ?? this.policy.defaultTargetFmr, this.calibration);
  }

  /** The calibrated threshold an engine (the service's by default) decides at for a target FMR, with its evidence. */
  threshold(targetFmr: number | undefined, engine: EngineEvidence = this.evidence()): MatchThreshold {
    return thresholdFor(this.calibration, evidenceOf(engine), targetFmr ?? this.policy.defaultTargetFmr);
  }

  /** The threshold of the tenant's active engine. */
  async tenantThreshold(tenantId: string, targetFmr: number | undefined): Promise<MatchThreshold> {
    return this.threshold(targetFmr, await this.activeEngine(tenantId));
  }

  private async audit(tenantId: string, context: CallContext, type: AuditEventType, data: AuditData): Promise<void> {
    await this.collaborators.audit?.append({ type, tenantId, actor: context.actor, data });
  }

  private evidence(): EngineEvidence {
    return evidenceOf(this.engine);
  }

  /**
   * A photo goes through the pipeline and its quality and PAD gates, in one task computing the
   * templates of every engine the tenant still needs (for 'enroll', the active one only); a device
   * template must be of the tenant's active engine, or the device is told to update. `template` is
   * the active engine's; `templates` all of them, active first. Without a tenant: the service's engine.
   */
  async capture(
    sample: Sample,
    multipleFaces: MultipleFacePolicy = 'largest',
    tenantId?: string,
    purpose: 'match' | 'enroll' = 'match',
  ): Promise<{ template: FaceTemplate; templates: FaceTemplate[]; capture: CaptureEvidence }> {
    const engines =
      tenantId === undefined ? [this.engine] : purpose === 'enroll' ? [await this.activeEngine(tenantId)] : await this.enginesFor(tenantId);
    const active = engines[0]!;
    if ('template' in sample) {
      const template = decodeTemplate(sample.template);
      if (!sameEngine(active, template)) {
        throw new EngineOutdated(
          `template of ${engineKey({ id: template.engineId, version: template.engineVersion })}; this tenant matches with ${engineKey(active)}: update the device's engine`,
          // Scalars only: problem details echo plain values to the device.
          { template: `${template.engineId}@${template.engineVersion}`, activeEngineId: active.id, activeEngineVersion: active.version },
        );
      }
      return { template, templates: [template], capture: {} };
    }
    if (sample.image.length === 0) throw new InvalidArgument('empty image');
    const result = await this.faces.process(sample.image, { engines: engines.map((e) => e.id), multipleFaces });
    return gatedCapture(result.selected, engines);
  }

  /**
   * A burst: its liveness verdict, and when live, the best frame's template through the same PAD
   * and quality gates as a photo. One task on the face service: the frames are analysed once.
   */
  async captureBurst(frames: readonly Uint8Array[], challenge?: readonly ChallengeAction[], tenantId?: string): Promise<BurstCapture> {
    if (frames.some((frame) => frame.length === 0)) throw new InvalidArgument('empty frame in the burst');
    const engines = tenantId === undefined ? [this.engine] : await this.enginesFor(tenantId);
    const result = await this.faces.assessBurst(frames, { engines: engines.map((e) => e.id), ...(challenge ? { challenge } : {}) });
    return gatedBurst(result, engines, challenge);
  }

  /**
   * captureBurst for frames streamed to a liveness session and analysed as they arrived
   * (checkout/session-frames.ts): the same judgement and gates; only the best frame is looked at again.
   */
  async captureAnalysedBurst(
    frames: readonly AnalysedBurstFrame[],
    challenge?: readonly ChallengeAction[],
    tenantId?: string,
    tracks?: BurstTracks,
  ): Promise<BurstCapture> {
    const engines = tenantId === undefined ? [this.engine] : await this.enginesFor(tenantId);
    const result = await this.faces.assessAnalysedBurst(frames, {
      engines: engines.map((e) => e.id),
      ...(challenge ? { challenge } : {}),
      ...(tracks ? { tracks } : {}),
    });
    return gatedBurst(result, engines, challenge);
  }

  /**
   * The judgement captureAnalysedBurst makes of streamed frames (burst liveness, with the landmarks
   * followed through their pixels, and the challenge), without the embedding: what a stream tells its
   * kiosk, so "live" there means live in the checkout that names the same frames. With the tracks
   * it followed, which that checkout may pass back (captureAnalysedBurst) instead of following them again.
   */
  async judgeAnalysedBurst(frames: readonly AnalysedBurstFrame[], challenge: readonly ChallengeAction[]): Promise<{ live: boolean; tracks?: BurstTracks }> {
    const result = await this.faces.assessAnalysedBurst(frames, { engines: [], challenge });
    return { live: result.liveness.live && result.challenge?.met === true, ...(result.tracks ? { tracks: result.tracks } : {}) };
  }

  /** One frame of a burst streamed to a liveness session, analysed ahead of the burst's judgement. */
  analyzeStreamedFrame(image: Uint8Array): Promise<AnalysedFrame> {
    if (image.length === 0) return Promise.reject(new InvalidArgument('empty frame in the burst'));
    return this.faces.analyzeFrame(image);
  }
}

/** A burst's liveness verdict, and when live (and its challenge met), the best frame's gated templates. */
export interface BurstCapture {
  readonly liveness: LivenessVerdict;
  readonly challenge?: ChallengeVerdict;
  readonly template?: FaceTemplate;
  readonly templates?: FaceTemplate[];
  readonly capture?: CaptureEvidence;
}

function gatedBurst(result: BurstResult, engines: readonly TemplateSpec[], challenge: readonly ChallengeAction[] | undefined): BurstCapture {
  const { liveness, best } = result;
  const answered = result.challenge ? { challenge: result.challenge } : {};
  if (challenge && !result.challenge) throw new Error('the face service did not evaluate the challenge it was given');
  if (!liveness.live || result.challenge?.met === false) return { liveness, ...answered };
  if (!best) throw new Error('the face service returned a live burst without its best frame');
  return { liveness, ...answered, ...gatedCapture(best, engines) };
}

function evidenceOf(engine: { id: string; version: string }): EngineEvidence {
  return { id: engine.id, version: engine.version };
}

/** The one gate a photo or a burst's best frame passes: presentation attack first, then quality. */
function gatedCapture(
  selected: Pick<ProcessedFace, 'quality' | 'presentation' | 'templates'>,
  engines: readonly TemplateSpec[],
): { template: FaceTemplate; templates: FaceTemplate[]; capture: CaptureEvidence } {
  const { quality, presentation } = selected;
  if (!presentation.passed)
    throw new SpoofSuspected(`presentation attack suspected: ${presentation.reasons.join(', ')}`, { reasons: presentation.reasons });
  requireAcceptableQuality(quality);
  const decoded = selected.templates.map((t) => decodeTemplate(t.template));
  // Active engine first, in the order asked, whatever order the face service answered in.
  const templates = engines.map((engine) => {
    const found = decoded.find((t) => sameEngine(engine, t));
    if (!found) throw new Error(`the face service returned no ${engineKey(engine)} template`);
    return found;
  });
  return { template: templates[0]!, templates, capture: { quality, presentation } };
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
