import type { BiometricStore } from '../store/biometric-store.js';
import type { TemplateSpec, TemplateIdentity } from '../templates/template.js';
import { GalleryRegistry, type IndexFactory } from './gallery-registry.js';

export function engineKey(engine: { id: string; version: string }): string {
  return `${engine.id}@${engine.version}`;
}

/**
 * The galleries of every engine the service runs: one GalleryRegistry (one index per tenant) per
 * engine version. During an engine upgrade a tenant's subjects sit in the old engine's index until
 * a template of the new one is stored for them; templates of engines the service does not run are
 * not indexed (nothing could compute a probe for them).
 */
export class EngineGalleries {
  private readonly registries = new Map<string, GalleryRegistry>();

  /** One registry per engine; the first is the platform default's. */
  constructor(registries: readonly GalleryRegistry[]) {
    for (const registry of registries) this.registries.set(engineKey(registry.engine), registry);
  }

  static create(engines: readonly TemplateSpec[], createIndex: IndexFactory): EngineGalleries {
    return new EngineGalleries(engines.map((engine) => new GalleryRegistry(engine, createIndex)));
  }

  /** The engines indexed, the first being the platform's default. */
  engines(): TemplateSpec[] {
    return [...this.registries.values()].map((r) => r.engine);
  }

  /** The gallery of one engine version; undefined when the service does not run it. */
  of(engine: { id: string; version: string }): GalleryRegistry | undefined {
    return this.registries.get(engineKey(engine));
  }

  /** Indexes a template of whichever engine it belongs to; one of an engine not run is ignored. */
  add(tenantId: string, subjectId: string, templateId: string, template: TemplateIdentity & { vector: Float32Array }): void {
    this.of({ id: template.engineId, version: template.engineVersion })?.add(tenantId, subjectId, templateId, template.vector);
  }

  removeSubject(tenantId: string, subjectId: string): void {
    for (const registry of this.registries.values()) registry.removeSubject(tenantId, subjectId);
  }

  async applyChange(
    store: BiometricStore,
    change: { op: 'insert' | 'delete'; tenantId: string; subjectId: string; templateId: string; engineId: string; engineVersion: string },
  ): Promise<void> {
    await this.of({ id: change.engineId, version: change.engineVersion })?.applyChange(store, change);
  }

  /** Rebuilds every engine's indexes from the store; returns how many templates were indexed. */
  async rebuild(store: BiometricStore): Promise<number> {
    let count = 0;
    for (const registry of this.registries.values()) count += await registry.rebuild(store);
    return count;
  }

  /** Every tenant with a template of any engine run. */
  tenantIds(): string[] {
    return [...new Set([...this.registries.values()].flatMap((r) => r.tenantIds()))];
  }
}
