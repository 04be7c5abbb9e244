import type { GalleryHit, GalleryIndex } from '../matcher/index/gallery-index.js';
import type { BiometricStore } from '../store/biometric-store.js';
import type { TemplateSpec } from '../templates/template.js';
import { decodeTemplate } from '../templates/template-codec.js';

export type IndexFactory = (dimension: number) => GalleryIndex;

/**
 * One in-memory 1:N index per tenant (for the service's engine), rebuilt from the store at start
 * and updated on every write. Tenants never share an index, so a search cannot cross tenants.
 */
export class GalleryRegistry {
  private readonly indexes = new Map<string, GalleryIndex>();

  constructor(
    private readonly engine: TemplateSpec,
    private readonly createIndex: IndexFactory,
  ) {}

  private index(tenantId: string): GalleryIndex {
    let index = this.indexes.get(tenantId);
    if (!index) this.indexes.set(tenantId, (index = this.createIndex(this.engine.dimension)));
    return index;
  }

  add(tenantId: string, subjectId: string, templateId: string, vector: Float32Array): void {
    this.index(tenantId).add({ subjectId, templateId, vector });
  }

  removeSubject(tenantId: string, subjectId: string): void {
    this.indexes.get(tenantId)?.removeSubject(subjectId);
  }

  search(tenantId: string, query: Float32Array, k: number): GalleryHit[] {
    const index = this.indexes.get(tenantId);
    return index && index.size > 0 ? index.search(query, k) : [];
  }

  size(tenantId: string): number {
    return this.indexes.get(tenantId)?.size ?? 0;
  }

  /** Loads every stored template of the engine; returns how many were indexed. */
  async rebuild(store: BiometricStore): Promise<number> {
    this.indexes.clear();
    let count = 0;
    for await (const entry of store.scanGallery({ engineId: this.engine.id, engineVersion: this.engine.version })) {
      this.add(entry.tenantId, entry.subjectId, entry.templateId, decodeTemplate(entry.template).vector);
      count++;
    }
    return count;
  }
}
