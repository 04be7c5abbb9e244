import { createEngine, engineIds } from '../engines/engine-registry.js';
import { provenanceOf, type EngineProvenance, type MaybeWithProvenance } from '../engines/engine-provenance.js';
import { calibrationKey, type Calibration } from '../matcher/calibration/calibration-table.js';
import type { TemplateSpec } from '../templates/template.js';

/** One engine as an operator chooses among them: what it is, whether it can decide, where it comes from. */
export interface EngineListing {
  readonly id: string;
  readonly version: string;
  readonly dimension: number;
  readonly dtype: string;
  /** Target FMRs the calibration table holds for this version: without any, it cannot decide (`not_calibrated`). */
  readonly calibration: { readonly calibrated: boolean; readonly targetFmrs: readonly number[] };
  readonly provenance: EngineProvenance;
  /** The service runs it: a tenant may choose it, and its templates are searched. */
  readonly served: boolean;
  /** FACEKEY_ENGINE: every tenant's engine unless it chose another. */
  readonly platformDefault: boolean;
}

/**
 * Every engine the registry holds, with its calibration status and provenance, listed once at start
 * (engines are constructed, not loaded: no weights are read).
 */
export class EngineCatalog {
  private readonly listings: readonly EngineListing[];

  constructor(calibration: Calibration, served: readonly TemplateSpec[]) {
    const calibrated = new Map(calibration.table.engines.map((e) => [calibrationKey(e.engine, e.version), e]));
    const servedKeys = new Set(served.map((e) => calibrationKey(e.id, e.version)));
    const platformKey = served[0] ? calibrationKey(served[0].id, served[0].version) : '';
    this.listings = engineIds().map((id) => {
      const engine = createEngine(id);
      const key = calibrationKey(engine.id, engine.version);
      const thresholds = calibrated.get(key)?.thresholds ?? [];
      return {
        id: engine.id,
        version: engine.version,
        dimension: engine.dimension,
        dtype: engine.dtype,
        calibration: { calibrated: thresholds.length > 0, targetFmrs: thresholds.map((t) => t.targetFmr).sort((a, b) => b - a) },
        // A registry entry or engine may carry its own provenance (and fusion its components).
        provenance: provenanceOf(engine as unknown as MaybeWithProvenance),
        served: servedKeys.has(key),
        platformDefault: key === platformKey,
      };
    });
  }

  list(): readonly EngineListing[] {
    return this.listings;
  }

  /** One line per engine the service runs, for the start-up log: id, version and the weights' terms. */
  servedSummary(): Array<{ engine: string; terms: string; licence: string; package: string }> {
    return this.listings
      .filter((l) => l.served)
      .map((l) => ({ engine: `${l.id}@${l.version}`, terms: l.provenance.terms, licence: l.provenance.licence, package: l.provenance.package }));
  }
}
