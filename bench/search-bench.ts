/**
 * `npm run bench:search`: 1:N gallery search at scale on a synthetic, face-like gallery
 * (identity centres on the unit sphere, templates and probes = normalize(centre + noise)).
 * Prints build time, memory per template, p50/p99 top-5 latency for exact and HNSW search, recall@1
 * of HNSW against exact, and identity recall.
 *
 * Memory is reported three ways. The target (≤ 400 B/template) is judged on the measured RSS delta
 * of the build: it is what the process really pays, native usearch memory and allocator slack
 * included. The index's own estimate (what its structures should hold) and the delta of V8's
 * heap + ArrayBuffer memory (the JavaScript side alone) explain where the bytes go.
 * BENCH_N (default 1,000,000), BENCH_QUERIES (default 1,000), BENCH_PER_ID (default 5),
 * BENCH_SEED (gallery seed, default 1; check recall on more than one), BENCH_EF_SEARCH (HNSW
 * ef_search; default: the index's own).
 */
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import { ExactIndex } from '../src/matcher/index/exact-index.js';
import type { GalleryEntry, GalleryIndex } from '../src/matcher/index/gallery-index.js';
import { HnswIndex } from '../src/matcher/index/hnsw-index.js';
import { syntheticEntries, syntheticProbes } from '../src/matcher/index/synthetic-gallery.js';

const N = Number(process.env.BENCH_N ?? 1_000_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 1_000);
const PER_ID = Number(process.env.BENCH_PER_ID ?? 5);
const SEED = Number(process.env.BENCH_SEED ?? 1);
const EF_SEARCH = process.env.BENCH_EF_SEARCH === undefined ? undefined : Number(process.env.BENCH_EF_SEARCH);
if (EF_SEARCH !== undefined && !(Number.isInteger(EF_SEARCH) && EF_SEARCH >= 1)) {
  throw new Error(`BENCH_EF_SEARCH must be a positive integer, got "${process.env.BENCH_EF_SEARCH}"`);
}
const DIMENSION = 128;
const K = 5;
const WARMUP = 20;
const TARGET_P99_MS = 5;
const TARGET_RECALL = 0.99;
const TARGET_BYTES = 400;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function settled(): { rss: number; js: number } {
  for (let i = 0; i < 3; i++) gc();
  const usage = process.memoryUsage();
  return { rss: usage.rss, js: usage.heapUsed + usage.arrayBuffers };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

const fmt = (x: number, digits = 2): string => x.toFixed(digits);
const mb = (bytes: number): string => `${fmt(bytes / 1048576, 1)} MB`;

/**
 * The whole gallery, generated before any index is built and kept out of every measurement: built
 * on the fly, the generator's own garbage grew V8's heap during the build and added some 50 B per
 * template to the RSS delta that no index holds. (The live gallery costs ~0.7 KB per template.)
 */
function generate(): GalleryEntry[] {
  const options = { dimension: DIMENSION, identities: Math.ceil(N / PER_ID), templatesPerIdentity: PER_ID, seed: SEED };
  const vectors = new Float32Array(N * DIMENSION);
  const entries: GalleryEntry[] = [];
  for (const entry of syntheticEntries(options)) {
    if (entries.length === N) break;
    const at = entries.length * DIMENSION;
    vectors.set(entry.vector, at);
    entries.push({ ...entry, vector: vectors.subarray(at, at + DIMENSION) });
  }
  return entries;
}

/** Hands the gallery over, printing progress every 10%. */
function* withProgress(label: string, entries: GalleryEntry[]): Generator<GalleryEntry> {
  const step = Math.max(1, Math.floor(N / 10));
  const start = performance.now();
  for (let i = 0; i < entries.length; i++) {
    // A fresh subject id string, as a row read from the store would bring: the index pays for the ones it keeps.
    const { subjectId, templateId, vector } = entries[i]!;
    yield { subjectId: Buffer.from(subjectId, 'latin1').toString('latin1'), templateId, vector };
    if ((i + 1) % step === 0) {
      const seconds = (performance.now() - start) / 1000;
      console.log(`  ${label}: ${(i + 1).toLocaleString('en-US')} / ${N.toLocaleString('en-US')} (${fmt(seconds, 1)} s)`);
    }
  }
}

/** Measures from before the index exists (its up-front reservations count) to after the build. */
function build<T extends GalleryIndex>(label: string, entries: GalleryEntry[], create: () => T) {
  const before = settled();
  const start = performance.now();
  const index = create();
  index.addMany(withProgress(label, entries));
  const seconds = (performance.now() - start) / 1000;
  const after = settled();
  return { index, seconds, rssDelta: after.rss - before.rss, jsDelta: after.js - before.js, estimate: index.memoryBytes() };
}

function latencies(index: GalleryIndex, probes: Float32Array[]) {
  for (let i = 0; i < Math.min(WARMUP, probes.length); i++) index.search(probes[i]!, K);
  const times: number[] = [];
  const top1: string[] = [];
  const template1: string[] = [];
  const score1: number[] = [];
  for (const probe of probes) {
    const t0 = process.hrtime.bigint();
    const hits = index.search(probe, K);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    top1.push(hits[0]?.subjectId ?? '');
    template1.push(hits[0]?.templateId ?? '');
    score1.push(hits[0]?.score ?? NaN);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), top1, template1, score1 };
}

function main(): void {
  const identities = Math.ceil(N / PER_ID);
  console.log(
    `search-bench: N=${N.toLocaleString('en-US')} templates (${identities.toLocaleString('en-US')} identities × ${PER_ID}), d=${DIMENSION}, ${QUERIES} probes, top-${K}, seed ${SEED}`,
  );
  console.log(`  node ${process.version}, ${os.availableParallelism()} cpus, ${mb(os.totalmem())} RAM`);
  const probeOptions = { dimension: DIMENSION, identities: Math.floor(N / PER_ID), templatesPerIdentity: PER_ID, seed: SEED };
  const probes = syntheticProbes(probeOptions, QUERIES, 99);

  console.log('\ngenerating the gallery (outside the measurements)');
  const entries = generate();

  const hnswOptions = { dimension: DIMENSION, ...(EF_SEARCH === undefined ? {} : { expansionSearch: EF_SEARCH }) };
  const settings = new HnswIndex(hnswOptions);
  console.log(
    `\nbuilding HNSW (usearch, ${settings.storage} storage, M=${settings.connectivity}, ef_add=${settings.expansionAdd}, ef_search=${settings.expansionSearch}; scores from usearch, no second copy)`,
  );
  const hnswBuild = build('hnsw', entries, () => {
    const index = new HnswIndex(hnswOptions);
    index.reserve(N);
    return index;
  });
  const hnsw = hnswBuild.index;

  console.log('\nbuilding exact (f32)');
  const exactBuild = build('exact', entries, () => new ExactIndex({ dimension: DIMENSION, initialCapacity: N }));
  const exact = exactBuild.index;

  console.log('\nsearching');
  const vectors = probes.map((p) => p.vector);
  const exactRun = latencies(exact, vectors);
  const hnswRun = latencies(hnsw, vectors);

  let agree = 0;
  let exactIdentity = 0;
  let hnswIdentity = 0;
  let scoreErrorSum = 0;
  let scoreErrorMax = 0;
  let sameTemplate = 0;
  for (let i = 0; i < probes.length; i++) {
    if (hnswRun.top1[i] === exactRun.top1[i]) agree++;
    // Score precision only where both found the same template: a right subject reached through
    // another of its templates is a graph miss of the best template, not a scoring error.
    if (hnswRun.template1[i] === exactRun.template1[i]) {
      sameTemplate++;
      const error = Math.abs(hnswRun.score1[i]! - exactRun.score1[i]!);
      scoreErrorSum += error;
      scoreErrorMax = Math.max(scoreErrorMax, error);
    }
    if (exactRun.top1[i] === probes[i]!.subjectId) exactIdentity++;
    if (hnswRun.top1[i] === probes[i]!.subjectId) hnswIdentity++;
  }
  const recall = agree / probes.length;

  const perTemplate = (bytes: number): string => fmt(bytes / N, 1);
  console.log('\nresults');
  console.log(`  templates:                     ${exact.size.toLocaleString('en-US')} exact / ${hnsw.size.toLocaleString('en-US')} hnsw`);
  console.log(`  build time exact:              ${fmt(exactBuild.seconds, 1)} s`);
  console.log(`  build time hnsw:               ${fmt(hnswBuild.seconds, 1)} s`);
  const memory = (b: { rssDelta: number; estimate: number; jsDelta: number }): string =>
    `RSS Δ ${perTemplate(b.rssDelta)} B (target figure), estimate ${perTemplate(b.estimate)} B, V8 heap+ArrayBuffer Δ ${perTemplate(b.jsDelta)} B`;
  console.log(`  memory/template exact f32:     ${memory(exactBuild)}`);
  console.log(`  memory/template hnsw:          ${memory(hnswBuild)}`);
  console.log(`  exact top-${K} latency:          p50 ${fmt(exactRun.p50)} ms, p99 ${fmt(exactRun.p99)} ms`);
  console.log(`  hnsw top-${K} latency:           p50 ${fmt(hnswRun.p50)} ms, p99 ${fmt(hnswRun.p99)} ms`);
  console.log(`  recall@1 hnsw vs exact:        ${fmt(recall, 4)} (${agree}/${probes.length})`);
  console.log(
    `  hnsw top-1 score vs float:     mean |Δ| ${fmt(scoreErrorSum / Math.max(1, sameTemplate), 4)}, max ${fmt(scoreErrorMax, 4)} (${sameTemplate} probes with the same top template)`,
  );
  console.log(
    `  identity recall@1:             exact ${fmt(exactIdentity / probes.length, 4)}, hnsw ${fmt(hnswIdentity / probes.length, 4)}`,
  );
  console.log('\ntargets');
  const verdict = (ok: boolean): string => (ok ? 'MET' : 'NOT MET');
  console.log(`  hnsw p99 <= ${TARGET_P99_MS} ms:              ${verdict(hnswRun.p99 <= TARGET_P99_MS)} (${fmt(hnswRun.p99)} ms)`);
  console.log(`  recall@1 >= ${TARGET_RECALL}:              ${verdict(recall >= TARGET_RECALL)} (${fmt(recall, 4)})`);
  const hnswBytes = hnswBuild.rssDelta / N;
  console.log(
    `  hnsw <= ${TARGET_BYTES} B/template:         ${verdict(hnswBytes <= TARGET_BYTES)} (measured RSS Δ ${fmt(hnswBytes, 1)} B; estimate ${fmt(hnswBuild.estimate / N, 1)} B)`,
  );
  console.log(`\n  peak RSS of the whole run: ${mb(process.resourceUsage().maxRSS * 1024)} (gallery, both indexes, probes)`);
}

main();
