/**
 * `npm run bench:search`: 1:N gallery search at scale on a synthetic, face-like gallery
 * (identity centres on the unit sphere, templates and probes = normalize(centre + noise)).
 * Prints build time, memory per template (RSS delta and the index's own estimate), p50/p99 top-5
 * latency for exact and HNSW search, recall@1 of HNSW against exact, and identity recall.
 * BENCH_N (default 1,000,000), BENCH_QUERIES (default 1,000), BENCH_PER_ID (default 5).
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
const DIMENSION = 128;
const K = 5;
const WARMUP = 20;
const TARGET_P99_MS = 5;
const TARGET_RECALL = 0.99;
const TARGET_BYTES = 400;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function settledRss(): number {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage().rss;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

const fmt = (x: number, digits = 2): string => x.toFixed(digits);
const mb = (bytes: number): string => `${fmt(bytes / 1048576, 1)} MB`;

/** Streams the gallery, printing progress every 10%. */
function* withProgress(label: string, entries: Iterable<GalleryEntry>): Generator<GalleryEntry> {
  const step = Math.max(1, Math.floor(N / 10));
  const start = performance.now();
  let i = 0;
  for (const entry of entries) {
    yield entry;
    i++;
    if (i % step === 0) {
      const seconds = (performance.now() - start) / 1000;
      console.log(`  ${label}: ${i.toLocaleString('en-US')} / ${N.toLocaleString('en-US')} (${fmt(seconds, 1)} s)`);
    }
  }
}

function build(label: string, index: GalleryIndex & { reserve?: (n: number) => void }) {
  const options = { dimension: DIMENSION, identities: Math.ceil(N / PER_ID), templatesPerIdentity: PER_ID };
  const rssBefore = settledRss();
  const start = performance.now();
  let count = 0;
  const limited = function* (): Generator<GalleryEntry> {
    for (const entry of syntheticEntries(options)) {
      if (count++ >= N) return;
      yield entry;
    }
  };
  index.addMany(withProgress(label, limited()));
  const seconds = (performance.now() - start) / 1000;
  const rssDelta = settledRss() - rssBefore;
  return { seconds, rssDelta, estimate: index.memoryBytes() };
}

function latencies(index: GalleryIndex, probes: Float32Array[]) {
  for (let i = 0; i < Math.min(WARMUP, probes.length); i++) index.search(probes[i]!, K);
  const times: number[] = [];
  const top1: string[] = [];
  for (const probe of probes) {
    const t0 = process.hrtime.bigint();
    const hits = index.search(probe, K);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    top1.push(hits[0]?.subjectId ?? '');
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), top1 };
}

function main(): void {
  const identities = Math.ceil(N / PER_ID);
  console.log(
    `search-bench: N=${N.toLocaleString('en-US')} templates (${identities.toLocaleString('en-US')} identities × ${PER_ID}), d=${DIMENSION}, ${QUERIES} probes, top-${K}`,
  );
  console.log(`  node ${process.version}, ${os.availableParallelism()} cpus, ${mb(os.totalmem())} RAM`);
  const probeOptions = { dimension: DIMENSION, identities: Math.floor(N / PER_ID), templatesPerIdentity: PER_ID };
  const probes = syntheticProbes(probeOptions, QUERIES, 99);

  console.log('\nbuilding HNSW (usearch, int8 storage, M=16, ef_add=64, ef_search=256; int8 re-rank copy)');
  const hnsw = new HnswIndex({ dimension: DIMENSION });
  hnsw.reserve(N);
  const hnswBuild = build('hnsw', hnsw);

  console.log('\nbuilding exact (f32)');
  const exact = new ExactIndex({ dimension: DIMENSION, initialCapacity: N });
  const exactBuild = build('exact', exact);

  console.log('\nsearching');
  const vectors = probes.map((p) => p.vector);
  const exactRun = latencies(exact, vectors);
  const hnswRun = latencies(hnsw, vectors);

  let agree = 0;
  let exactIdentity = 0;
  let hnswIdentity = 0;
  for (let i = 0; i < probes.length; i++) {
    if (hnswRun.top1[i] === exactRun.top1[i]) agree++;
    if (exactRun.top1[i] === probes[i]!.subjectId) exactIdentity++;
    if (hnswRun.top1[i] === probes[i]!.subjectId) hnswIdentity++;
  }
  const recall = agree / probes.length;

  const perTemplate = (bytes: number): string => fmt(bytes / N, 1);
  console.log('\nresults');
  console.log(`  templates:                     ${exact.size.toLocaleString('en-US')} exact / ${hnsw.size.toLocaleString('en-US')} hnsw`);
  console.log(`  build time exact:              ${fmt(exactBuild.seconds, 1)} s (includes synthetic generation)`);
  console.log(`  build time hnsw:               ${fmt(hnswBuild.seconds, 1)} s (includes synthetic generation)`);
  console.log(
    `  memory/template exact f32:     RSS Δ ${perTemplate(exactBuild.rssDelta)} B, estimate ${perTemplate(exactBuild.estimate)} B (${mb(exactBuild.estimate)})`,
  );
  console.log(
    `  memory/template hnsw:          RSS Δ ${perTemplate(hnswBuild.rssDelta)} B, estimate ${perTemplate(hnswBuild.estimate)} B (${mb(hnswBuild.estimate)})`,
  );
  console.log(`  exact top-${K} latency:          p50 ${fmt(exactRun.p50)} ms, p99 ${fmt(exactRun.p99)} ms`);
  console.log(`  hnsw top-${K} latency:           p50 ${fmt(hnswRun.p50)} ms, p99 ${fmt(hnswRun.p99)} ms`);
  console.log(`  recall@1 hnsw vs exact:        ${fmt(recall, 4)} (${agree}/${probes.length})`);
  console.log(
    `  identity recall@1:             exact ${fmt(exactIdentity / probes.length, 4)}, hnsw ${fmt(hnswIdentity / probes.length, 4)}`,
  );
  console.log('\ntargets');
  const verdict = (ok: boolean): string => (ok ? 'MET' : 'NOT MET');
  console.log(`  hnsw p99 <= ${TARGET_P99_MS} ms:              ${verdict(hnswRun.p99 <= TARGET_P99_MS)} (${fmt(hnswRun.p99)} ms)`);
  console.log(`  recall@1 >= ${TARGET_RECALL}:              ${verdict(recall >= TARGET_RECALL)} (${fmt(recall, 4)})`);
  const hnswBytes = Math.max(hnswBuild.rssDelta, hnswBuild.estimate) / N;
  console.log(
    `  hnsw <= ${TARGET_BYTES} B/template:         ${verdict(hnswBytes <= TARGET_BYTES)} (max of RSS Δ and estimate: ${fmt(hnswBytes, 1)} B)`,
  );
}

main();
