import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { FaceService } from '../pipeline/face-service.js';
import type { TemplateSpec } from '../templates/template.js';
import type { FaceTemplate } from '../templates/template.js';
import { decodeTemplate } from '../templates/template-codec.js';
import { FacekeyError } from '../errors/domain-errors.js';
import type { EmbeddingCache } from './embedding-cache.js';
import type { MultipleFacePolicy } from '../pipeline/face-selection.js';
import { startProgress } from '../runtime/progress.js';

/** A template, or why the image failed to enroll (kept: failures count as errors, never dropped). */
export type EnrollmentOutcome =
  { readonly ok: true; readonly template: FaceTemplate } | { readonly ok: false; readonly code: string; readonly message: string };

export interface EmbedImagesOptions {
  readonly files: readonly string[];
  readonly engines: readonly TemplateSpec[];
  readonly service: FaceService;
  readonly cache: EmbeddingCache;
  /** How many images are in flight at once (the pool's size keeps every worker busy). */
  readonly concurrency: number;
  /** Which face of a multi-face image is the subject (`central` for photos cropped around their subject). */
  readonly multipleFaces: MultipleFacePolicy;
  readonly progressLabel?: string;
}

/** outcomes[engineId][fileIndex] */
export type EmbeddingTable = Map<string, EnrollmentOutcome[]>;

/**
 * Computes (or reads from the cache) one template per image and engine. All engines for an image
 * are computed in a single pipeline pass so detection and mesh run once.
 */
export async function embedImages(options: EmbedImagesOptions): Promise<EmbeddingTable> {
  const { files, engines, service, cache } = options;
  const variant = `face=${options.multipleFaces}`;
  const table: EmbeddingTable = new Map(engines.map((e) => [e.id, new Array<EnrollmentOutcome>(files.length)]));
  const progress = startProgress(options.progressLabel ?? 'embedding', files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const index = next++;
      const bytes = new Uint8Array(await fs.promises.readFile(files[index]!));
      const sha = createHash('sha256').update(bytes).digest('hex');
      const missing: TemplateSpec[] = [];
      for (const engine of engines) {
        const cached = cache.get(sha, engine.id, engine.version, variant);
        if (cached) table.get(engine.id)![index] = toOutcome(cached);
        else missing.push(engine);
      }
      if (missing.length > 0) await computeMissing(bytes, sha, missing, index);
      progress.increment();
    }
  };
  const computeMissing = async (bytes: Uint8Array, sha: string, missing: TemplateSpec[], index: number): Promise<void> => {
    try {
      const result = await service.process(bytes, { engines: missing.map((e) => e.id), multipleFaces: options.multipleFaces });
      for (const t of result.selected.templates) {
        const spec = missing.find((e) => e.id === t.engine)!;
        cache.put(sha, spec.id, spec.version, variant, { kind: 'template', template: t.template });
        table.get(t.engine)![index] = { ok: true, template: decodeTemplate(t.template) };
      }
    } catch (error) {
      if (!(error instanceof FacekeyError)) throw error;
      for (const spec of missing) {
        cache.put(sha, spec.id, spec.version, variant, { kind: 'failure', code: error.code, message: error.message });
        table.get(spec.id)![index] = { ok: false, code: error.code, message: error.message };
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  } finally {
    progress.stop();
  }
  return table;
}

function toOutcome(cached: ReturnType<EmbeddingCache['get']> & object): EnrollmentOutcome {
  return cached.kind === 'template'
    ? { ok: true, template: decodeTemplate(cached.template) }
    : { ok: false, code: cached.code, message: cached.message };
}
