import { listEngines } from '../engines/engine-registry.js';
import type { EngineProvenance, WeightTerms } from '../engines/engine-provenance.js';
import {
  calibrationKey,
  type CalibratedThreshold,
  type Calibration,
  type DetOperatingPoint,
} from '../matcher/calibration/calibration-table.js';
import type { TemplateSpec } from '../templates/template.js';

/**
 * Provenance as the API serves it: flat, so a client reads `terms` or `licence` without knowing
 * which engines have a package. `package`, `version` and `licence` are null for an engine without
 * a package (no learned weights, or a file the operator supplied).
 */
export interface ServedProvenance {
  readonly package: string | null;
  readonly version: string | null;
  readonly licence: string | null;
  readonly weights: string;
  readonly weightsTrainingData: string;
  readonly terms: WeightTerms;
  readonly termsNote: string;
}

export function servedProvenance(p: EngineProvenance): ServedProvenance {
  return {
    package: p.package?.name ?? null,
    version: p.package?.version ?? null,
    licence: p.package?.licence ?? null,
    weights: p.weights,
    weightsTrainingData: p.trainingData,
    terms: p.terms,
    termsNote: p.termsNote,
  };
}

/** One engine as an operator chooses among them: what it is, whether it can decide, where it comes from. */
export interface EngineListing {
  readonly id: string;
  readonly version: string;
  readonly dimension: number;
  readonly dtype: string;
  /** Target FMRs the calibration table holds for this version: without any, it cannot decide (`not_calibrated`). */
  readonly calibration: { readonly calibrated: boolean; readonly targetFmrs: readonly number[] };
  /** Built in, a model card facekey ships, or an operator's own model card. */
  readonly origin: string;
  readonly provenance: ServedProvenance;
  /** The service runs it: a tenant may choose it, and its templates are searched. */
  readonly served: boolean;
  /** FACEKEY_ENGINE: every tenant's engine unless it chose another. */
  readonly platformDefault: boolean;
}

/** An engine's measured accuracy, as the merchant console shows it. */
export interface EngineAccuracy {
  readonly engine: EngineListing;
  readonly thresholds: readonly CalibratedThreshold[];
  /** Empty when the calibration was written before DET points were kept. */
  readonly det: readonly DetOperatingPoint[];
  /** What the figures were measured on; null for an engine without calibration. */
  readonly calibration: {
    readonly description: string;
    readonly generatedAt: string;
    readonly genuineComparisons: number;
    readonly impostorComparisons: number;
  } | null;
}

/**
 * Every engine the registry holds (built-in and model cards), with its calibration status and
 * provenance, listed once at start (engines are constructed, not loaded: no weights are read).
 */
export class EngineCatalog {
  private readonly listings: readonly EngineListing[];

  constructor(
    private readonly calibration: Calibration,
    served: readonly TemplateSpec[],
  ) {
    const calibrated = new Map(calibration.table.engines.map((e) => [calibrationKey(e.engine, e.version), e]));
    const servedKeys = new Set(served.map((e) => calibrationKey(e.id, e.version)));
    const platformKey = served[0] ? calibrationKey(served[0].id, served[0].version) : '';
    this.listings = listEngines().map((engine) => {
      const key = calibrationKey(engine.id, engine.version);
      const thresholds = calibrated.get(key)?.thresholds ?? [];
      return {
        id: engine.id,
        version: engine.version,
        dimension: engine.dimension,
        dtype: engine.dtype,
        calibration: { calibrated: thresholds.length > 0, targetFmrs: thresholds.map((t) => t.targetFmr).sort((a, b) => b - a) },
        origin: engine.origin,
        provenance: servedProvenance(engine.provenance),
        served: servedKeys.has(key),
        platformDefault: key === platformKey,
      };
    });
  }

  list(): readonly EngineListing[] {
    return this.listings;
  }

  /** The calibration's thresholds and DET points of one engine version; undefined for an engine the registry lacks. */
  accuracy(engine: { id: string; version: string }): EngineAccuracy | undefined {
    const listing = this.listings.find((l) => l.id === engine.id && l.version === engine.version);
    if (!listing) return undefined;
    const measured = this.calibration.table.engines.find((e) => e.engine === engine.id && e.version === engine.version);
    return {
      engine: listing,
      thresholds: [...(measured?.thresholds ?? [])].sort((a, b) => b.targetFmr - a.targetFmr),
      det: measured?.det ?? [],
      calibration: measured
        ? {
            description: this.calibration.table.description,
            generatedAt: this.calibration.table.generatedAt,
            genuineComparisons: measured.genuineCount,
            impostorComparisons: measured.impostorCount,
          }
        : null,
    };
  }

  /** One line per engine the service runs, for the start-up log: id, version and the weights' terms. */
  servedSummary(): Array<{ engine: string; terms: string; licence: string | null; package: string | null }> {
    return this.listings
      .filter((l) => l.served)
      .map((l) => ({
        engine: `${l.id}@${l.version}`,
        terms: l.provenance.terms,
        licence: l.provenance.licence,
        package: l.provenance.package,
      }));
  }
}
