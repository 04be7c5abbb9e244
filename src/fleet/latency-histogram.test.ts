import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencyHistogram } from './latency-histogram.js';

test('quantiles land on the upper edge of their 1 ms bucket below 2 s, and on the maximum', () => {
  const histogram = new LatencyHistogram();
  assert.equal(histogram.quantile(0.99), null);
  for (let ms = 0; ms < 1000; ms++) histogram.record(ms + 0.5);
  assert.equal(histogram.count, 1000);
  assert.equal(histogram.quantile(0.5), 500);
  assert.equal(histogram.quantile(0.99), 990);
  assert.equal(histogram.quantile(1), 1000);
});

test('slow samples go to 100 ms buckets and beyond; negative ones count as zero', () => {
  const histogram = new LatencyHistogram();
  histogram.record(-5);
  histogram.record(2_050);
  histogram.record(500_000);
  assert.equal(histogram.quantile(0), 1);
  assert.equal(histogram.quantile(0.5), 2_100);
  assert.equal(histogram.quantile(1), 500_000);
});
