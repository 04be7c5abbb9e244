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
  /** Template ids already indexed, so a node's own writes echoed back by NOTIFY are not added twice. */
  private readonly indexed = new Set<string>();
  /** The indexed template ids of each tenant's subjects, so removing a subject needs no store read. */
  private readonly bySubject = new Map<string, Map<string, Set<string>>>();

  constructor(
    readonly engine: TemplateSpec,
    private readonly createIndex: IndexFactory,
  ) {}

  private index(tenantId: string): GalleryIndex {
    let index = this.indexes.get(tenantId);
    if (!index) this.indexes.set(tenantId, (index = this.createIndex(this.engine.dimension)));
    return index;
  }

  add(tenantId: string, subjectId: string, templateId: string, vector: Float32Array): void {
    if (this.indexed.has(templateId)) return;
    this.index(tenantId).add({ subjectId, templateId, vector });
    this.indexed.add(templateId);
    let subjects = this.bySubject.get(tenantId);
    if (!subjects) this.bySubject.set(tenantId, (subjects = new Map()));
    const ids = subjects.get(subjectId) ?? new Set<string>();
    subjects.set(subjectId, ids.add(templateId));
  }

  /** Whether the subject has a template of this engine in the tenant's index. */
  hasSubject(tenantId: string, subjectId: string): boolean {
    return this.bySubject.get(tenantId)?.has(subjectId) ?? false;
  }

  /** The tenant's subjects with a template of this engine, and how many templates each has. */
  subjects(tenantId: string): ReadonlyMap<string, number> {
    const counts = new Map<string, number>();
    for (const [subjectId, ids] of this.bySubject.get(tenantId) ?? []) counts.set(subjectId, ids.size);
    return counts;
  }

  /** Tenants with at least one template of this engine. */
  tenantIds(): string[] {
    return [...this.bySubject.keys()];
  }

  /** Drops every template of the subject from the index (the index removes by subject). */
  removeSubject(tenantId: string, subjectId: string): void {
    this.indexes.get(tenantId)?.removeSubject(subjectId);
    const subjects = this.bySubject.get(tenantId);
    for (const id of subjects?.get(subjectId) ?? []) this.indexed.delete(id);
    subjects?.delete(subjectId);
    if (subjects?.size === 0) this.bySubject.delete(tenantId);
  }

  /**
   * Applies a change another node made (or this node's own, echoed): an insert loads and indexes the
   * template; a delete re-indexes whatever the subject still has, which is nothing once it is erased.
   */
  async applyChange(
    store: BiometricStore,
    change: { op: 'insert' | 'delete'; tenantId: string; subjectId: string; templateId: string; engineId: string; engineVersion: string },
  ): Promise<void> {
    if (change.engineId !== this.engine.id || change.engineVersion !== this.engine.version) return;
    if (change.op === 'insert' && this.indexed.has(change.templateId)) return;
    const remaining = await store.listTemplates(change.tenantId, change.subjectId).catch(() => []);
    const mine = remaining.filter((t) => t.engineId === this.engine.id && t.engineVersion === this.engine.version);
    if (change.op === 'delete') this.removeSubject(change.tenantId, change.subjectId);
    for (const t of mine) this.add(change.tenantId, change.subjectId, t.templateId, decodeTemplate(t.template).vector);
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
    this.indexed.clear();
    this.bySubject.clear();
    let count = 0;
    for await (const entry of store.scanGallery({ engineId: this.engine.id, engineVersion: this.engine.version })) {
      this.add(entry.tenantId, entry.subjectId, entry.templateId, decodeTemplate(entry.template).vector);
      count++;
    }
    return count;
  }
}
