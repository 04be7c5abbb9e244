/**
 * `npm run bench:engine`: per engine, milliseconds per face for each pipeline stage (one thread),
 * end-to-end milliseconds per face through a one-worker pool, faces per second through a pool with
 * one worker per core (a second pass over the images; the first pass after start is printed beside
 * it), and the process's peak resident memory.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HumanFaceAnalyzer } from '../src/analysis/human-analyzer.js';
import { decodeImage } from '../src/imaging/decode-image.js';
import { assessQuality } from '../src/quality/assess-quality.js';
import { createEngine, DEFAULT_ENGINE_ID, engineIds } from '../src/engines/engine-registry.js';
import { DlibResnetEngine } from '../src/engines/dlib-resnet/dlib-resnet-engine.js';
import { OnnxArcfaceEngine } from '../src/engines/onnx-arcface/onnx-arcface-engine.js';
import { createPooledFaceService } from '../src/pipeline/pooled-face-service.js';
import { listLabelledImages } from '../src/eval/labelled-images.js';
import { bundledSampleImages } from '../src/cli/commands/demo-command.js';
import { projectRoot } from '../src/runtime/project-root.js';

const IMAGE_COUNT = Number(process.env.BENCH_IMAGES ?? 120);
const WARMUP = 5;

function benchImages(): string[] {
  const lfw = path.join(projectRoot(), '..', 'shared', 'datasets', 'lfw-dev', 'images');
  if (fs.existsSync(lfw)) {
    const all = listLabelledImages(lfw);
    const stride = Math.max(1, Math.floor(all.length / IMAGE_COUNT));
    return all
      .filter((_, i) => i % stride === 0)
      .slice(0, IMAGE_COUNT)
      .map((l) => l.file);
  }
  return bundledSampleImages();
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (x: number): string => x.toFixed(1);

interface StageRow {
  engine: string;
  decode: number;
  detectMesh: number;
  presentation: number;
  quality: number;
  align: number;
  embed: number;
  total: number;
}

async function stageTimings(files: string[], ids: string[]): Promise<StageRow[]> {
  const analyzer = await HumanFaceAnalyzer.create();
  const images = files.map((f) => new Uint8Array(fs.readFileSync(f)));
  const rows: StageRow[] = [];
  for (const id of ids) {
    const engine = createEngine(id);
    await engine.load();
    const t = {
      decode: [] as number[],
      detectMesh: [] as number[],
      presentation: [] as number[],
      quality: [] as number[],
      align: [] as number[],
      embed: [] as number[],
    };
    for (let i = 0; i < images.length; i++) {
      const t0 = performance.now();
      const decoded = await decodeImage(images[i]!);
      const t1 = performance.now();
      const bare = await analyzer.analyze(decoded.image, { faceres: engine.needs.faceres ?? false, presentationAttackDetection: false });
      const t2 = performance.now();
      const faces = await analyzer.analyze(decoded.image, { faceres: engine.needs.faceres ?? false });
      const t3 = performance.now();
      const face = faces[0];
      if (!face || !bare[0]) continue;
      assessQuality(decoded.image, face);
      const t4 = performance.now();
      let alignMs = 0;
      if (engine instanceof DlibResnetEngine || engine instanceof OnnxArcfaceEngine) {
        const a0 = performance.now();
        engine.alignedChip(decoded.image, face);
        alignMs = performance.now() - a0;
      }
      const t5 = performance.now();
      await engine.embed({ image: decoded.image, face });
      const t6 = performance.now();
      if (i < WARMUP) continue;
      t.decode.push(t1 - t0);
      t.detectMesh.push(t2 - t1);
      t.presentation.push(Math.max(0, t3 - t2 - (t2 - t1)));
      t.quality.push(t4 - t3);
      t.align.push(alignMs);
      t.embed.push(t6 - t5 - 0);
    }
    const row = {
      engine: id,
      decode: mean(t.decode),
      detectMesh: mean(t.detectMesh),
      presentation: mean(t.presentation),
      quality: mean(t.quality),
      align: mean(t.align),
      embed: mean(t.embed),
      total: 0,
    };
    row.total = row.decode + row.detectMesh + row.presentation + row.quality + row.embed;
    rows.push(row);
  }
  return rows;
}

interface PoolRow {
  engine: string;
  oneWorkerMsPerFace: number;
  oneWorkerP95: number;
  workers: number;
  /** The first pass over the images, right after the workers started (their JIT still compiling). */
  firstPassFacesPerSecond: number;
  /** A second pass over the same images: what a running service's workers sustain. */
  facesPerSecond: number;
}

async function poolThroughput(files: string[], id: string): Promise<PoolRow> {
  const images = files.map((f) => new Uint8Array(fs.readFileSync(f)));
  const one = await createPooledFaceService([id], { size: 1 });
  const latencies: number[] = [];
  try {
    for (let i = 0; i < images.length; i++) {
      const t0 = performance.now();
      await one.process(images[i]!, { engines: [id], multipleFaces: 'largest' });
      if (i >= WARMUP) latencies.push(performance.now() - t0);
    }
  } finally {
    await one.close();
  }
  // Throughput is timed twice over the same images. The first pass right after the workers start
  // carries V8's one-off work of warming them up (optimising compiles of Human's and tfjs's code,
  // the WASM tier-up), which runs on V8's own threads: with one worker it takes the idle core and
  // never shows in the latency above, with one worker per core it takes their CPU (measured
  // 2026-11-30: 13-14 ms of CPU per face on those threads in the first pass, 5.5-8 in later ones).
  // The second pass is what a service's long-running workers sustain: the figure of the table.
  const workers = os.availableParallelism();
  const all = await createPooledFaceService([id], { size: workers, maxQueue: images.length });
  const pass = async (): Promise<number> => {
    const t0 = performance.now();
    await Promise.all(images.map((img) => all.process(img, { engines: [id], multipleFaces: 'largest' })));
    return images.length / ((performance.now() - t0) / 1000);
  };
  let firstPassFacesPerSecond = 0;
  let facesPerSecond = 0;
  try {
    await Promise.all(images.slice(0, workers * 2).map((img) => all.process(img, { engines: [id], multipleFaces: 'largest' })));
    firstPassFacesPerSecond = await pass();
    facesPerSecond = await pass();
  } finally {
    await all.close();
  }
  return {
    engine: id,
    oneWorkerMsPerFace: mean(latencies),
    oneWorkerP95: percentile(latencies, 95),
    workers,
    firstPassFacesPerSecond,
    facesPerSecond,
  };
}

const requested = process.argv.slice(2);
const ids = requested.length > 0 ? requested : engineIds();
const files = benchImages();
console.log(
  `facekey engine benchmark — ${files.length} images (${path.dirname(path.dirname(files[0]!))}), ${os.availableParallelism()} cores, ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}, tfjs WASM backend`,
);
const stages = await stageTimings(files, ids);
console.log('\nStage timings, one thread, mean ms per face (detect+mesh includes pose; presentation = antispoof + liveness models):');
console.log('| engine | decode | detect + mesh | presentation attack | quality | align | embed | sum |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of stages)
  console.log(
    `| ${r.engine} | ${ms(r.decode)} | ${ms(r.detectMesh)} | ${ms(r.presentation)} | ${ms(r.quality)} | ${ms(r.align)} | ${ms(r.embed - r.align)} | ${ms(r.total)} |`,
  );
console.log('\nThrough the worker pool (decode + detect + mesh + align + embed + PAD + quality):');
console.log('| engine | 1 worker: ms per face (mean / p95) | all workers | faces per second | first pass after start |');
console.log('|---|---|---|---|---|');
for (const id of ids) {
  const r = await poolThroughput(files, id);
  console.log(
    `| ${r.engine}${r.engine === DEFAULT_ENGINE_ID ? ' (default)' : ''} | ${ms(r.oneWorkerMsPerFace)} / ${ms(r.oneWorkerP95)} | ${r.workers} | ${r.facesPerSecond.toFixed(1)} | ${r.firstPassFacesPerSecond.toFixed(1)} |`,
  );
}
console.log(`\nPeak resident memory (main thread + all workers): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
