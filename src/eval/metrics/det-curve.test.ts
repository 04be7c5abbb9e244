import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { detCurvePoints, renderDetPng, renderDetSvg } from './det-curve.js';
import { sortedScores } from './score-distribution.js';
import { gaussian, seededRandom } from '../../runtime/seeded-random.js';
import { fmrAt, fnmrAt } from './verification-rates.js';

function normalScores(seed: number, count: number, mean: number): Float64Array {
  const normal = gaussian(seededRandom(seed));
  return sortedScores(Array.from({ length: count }, () => mean + normal()));
}

test('DET points on ten impostors run from FMR 1/n to 1 with distinct thresholds', () => {
  const impostors = sortedScores([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]);
  const genuine = sortedScores([0.55, 0.75, 0.95, 1.0]);
  const points = detCurvePoints(genuine, impostors, 50);
  assert.equal(points[0]!.fmr, 0.1);
  assert.equal(points[points.length - 1]!.fmr, 1);
  assert.equal(points.length, 10, 'one point per achievable FMR step');
  assert.equal(new Set(points.map((p) => p.threshold)).size, points.length);
  assert.equal(points[0]!.fnmr, 0.5, 'only 0.95 and 1.0 clear the threshold just above 0.9');
});

test('DET points are consistent with fmrAt/fnmrAt and monotone', () => {
  const genuine = normalScores(1, 2000, 3);
  const impostors = normalScores(2, 100_000, 0);
  const points = detCurvePoints(genuine, impostors);
  assert.ok(points.length > 300 && points.length <= 400, `${points.length} points`);
  assert.ok(Math.abs(points[0]!.fmr - 1e-5) < 1e-12);
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    assert.equal(p.fmr, fmrAt(impostors, p.threshold));
    assert.equal(p.fnmr, fnmrAt(genuine, p.threshold));
    if (i > 0) {
      assert.ok(p.fmr > points[i - 1]!.fmr && p.fnmr <= points[i - 1]!.fnmr, `point ${i} moves right and down`);
      // Log spacing: consecutive targets differ by a factor 10^(5/399) ≈ 1.03, give or take one impostor.
      assert.ok(p.fmr - points[i - 1]!.fmr <= 0.05 * p.fmr + 1 / impostors.length, `point ${i} is not a big jump`);
    }
  }
});

test('detCurvePoints rejects fewer than two points', () => {
  assert.throws(() => detCurvePoints(sortedScores([1]), sortedScores([0]), 1), /maxPoints/);
});

const curves = [
  { label: 'dlib-resnet', points: detCurvePoints(normalScores(3, 1000, 3.5), normalScores(4, 20_000, 0)) },
  { label: 'human <faceres> & co', points: detCurvePoints(normalScores(5, 1000, 2.5), normalScores(6, 20_000, 0)) },
];

test('the SVG has one polyline per curve, decade ticks, axis labels and an escaped legend and title', () => {
  const svg = renderDetSvg(curves, { title: 'LFW "view 2" & friends' });
  assert.equal(svg.match(/<polyline /g)?.length, 2);
  assert.ok(svg.includes('False match rate (FMR)'));
  assert.ok(svg.includes('False non-match rate (FNMR)'));
  assert.ok(svg.includes('human &#60;faceres&#62; &#38; co'));
  assert.ok(svg.includes('LFW &#34;view 2&#34; &#38; friends'));
  assert.ok(!/&(?!#\d+;)/.test(svg), 'no bare ampersand survives');
  // Decade labels: 10^-6 … 10^-1 and 1 on x; 10^-4 … 10^-1 and 1 on y.
  for (const exponent of [-6, -5, -4, -3, -2, -1]) assert.ok(svg.includes(`font-size="10">${exponent}</tspan>`), `10^${exponent}`);
  assert.ok(!svg.includes('>-7</tspan>'));
  assert.ok(!/font-family="(?!sans-serif)/.test(svg) && !svg.includes('@import') && !svg.includes('href'), 'self-contained');
});

test('zero rates are drawn on the axis minimum, not dropped', () => {
  const svg = renderDetSvg([
    {
      label: 'perfect',
      points: [
        { threshold: 0.5, fmr: 0, fnmr: 0 },
        { threshold: 0.1, fmr: 1, fnmr: 0 },
      ],
    },
  ]);
  // Default 800 × 600: the plot spans x 90…770 and y 20…530.
  assert.ok(svg.includes('points="90.00,530.00 770.00,530.00"'), svg.match(/points="[^"]*"/)?.[0]);
});

test('renders to a PNG of the requested size with sharp', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'det-'));
  try {
    const file = path.join(dir, 'det.png');
    await renderDetPng(renderDetSvg(curves, { title: 'DET' }), file);
    const metadata = await sharp(file).metadata();
    assert.equal(metadata.format, 'png');
    assert.equal(metadata.width, 800);
    assert.equal(metadata.height, 600);

    const small = path.join(dir, 'small.png');
    await renderDetPng(renderDetSvg(curves, { width: 640, height: 480 }), small);
    assert.equal((await sharp(small).metadata()).width, 640);
    // A curve was actually drawn: the first curve's colour appears in the pixels.
    const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
    let blueish = 0;
    for (let i = 0; i < data.length; i += info.channels)
      if (data[i]! < 40 && data[i + 1]! > 90 && data[i + 1]! < 140 && data[i + 2]! > 150) blueish++;
    assert.ok(blueish > 100, `${blueish} pixels of the first curve's colour`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('rejects axis minima outside (0, 1)', () => {
  assert.throws(() => renderDetSvg(curves, { minFmr: 0 }), /minFmr/);
  assert.throws(() => renderDetSvg(curves, { minFnmr: 1 }), /minFnmr/);
});
