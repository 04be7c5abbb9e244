import type { StoredEngine } from '../store/biometric-store.js';

export interface EnginesToServe {
  /** The active engine first, then the fallbacks, each once. */
  readonly ids: readonly string[];
  /** Stored engines that cannot be served (unknown id, or the registry's version differs), with why. */
  readonly stranded: readonly { readonly engineId: string; readonly engineVersion: string; readonly templates: number; readonly why: string }[];
}

/**
 * The engines the service runs. An operator's FACEKEY_FALLBACK_ENGINES is taken as given; when it is
 * unset, every engine the stored templates belong to runs beside the active one, so a release whose
 * default engine changed keeps matching every enrolled subject (and migrates them on use) instead of
 * answering no_match for all of them. A stored engine the registry no longer has, or has at another
 * version, cannot compute comparable templates: it is reported, never served.
 */
export function enginesToServe(
  active: string,
  configured: readonly string[] | undefined,
  stored: readonly StoredEngine[],
  registry: { readonly has: (id: string) => boolean; readonly versionOf: (id: string) => string },
): EnginesToServe {
  if (configured !== undefined) return { ids: [...new Set([active, ...configured])], stranded: [] };
  const ids = new Set([active]);
  const stranded: EnginesToServe['stranded'][number][] = [];
  for (const entry of stored) {
    if (entry.engineId === active && registry.versionOf(active) === entry.engineVersion) continue;
    if (!registry.has(entry.engineId)) stranded.push({ ...entry, why: 'no such engine in the registry' });
    else if (registry.versionOf(entry.engineId) !== entry.engineVersion)
      stranded.push({ ...entry, why: `the registry has version ${registry.versionOf(entry.engineId)}` });
    else ids.add(entry.engineId);
  }
  return { ids: [...ids], stranded };
}
