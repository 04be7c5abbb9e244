import test from 'node:test';
import assert from 'node:assert/strict';
import { parseLfwPairs, lfwImagePath } from './lfw-pairs.js';
import { InvalidArgument } from '../errors/domain-errors.js';

const SAMPLE = ['2\t1', 'Alice\t1\t2', 'Alice\t1\tBob\t3', 'Carol\t2\t4', 'Dan\t1\tErin\t1', ''].join('\n');

test('parses folds, same and different pairs into image paths', () => {
  const { folds } = parseLfwPairs(SAMPLE, '/img');
  assert.equal(folds.length, 2);
  assert.deepEqual(folds[0]![0], { left: '/img/Alice/Alice_0001.jpg', right: '/img/Alice/Alice_0002.jpg', same: true });
  assert.deepEqual(folds[0]![1], { left: '/img/Alice/Alice_0001.jpg', right: '/img/Bob/Bob_0003.jpg', same: false });
  assert.equal(folds[1]![0]!.same, true);
  assert.equal(folds[1]![1]!.same, false);
  assert.equal(lfwImagePath('/x', 'A_B', 12), '/x/A_B/A_B_0012.jpg');
});

test('refuses a header that does not match the number of pairs', () => {
  assert.throws(() => parseLfwPairs('3\t1\nA\t1\t2\n', '/img'), InvalidArgument);
});

test('refuses malformed lines with their line number', () => {
  assert.throws(() => parseLfwPairs('1\t1\nA\t1\t2\nB\tx\tC\t1\n', '/img'), /line 3/);
  assert.throws(() => parseLfwPairs('1\t1\nA\t1\nB\t1\tC\t1\n', '/img'), /3 or 4 fields/);
  assert.throws(() => parseLfwPairs('nonsense\n', '/img'), InvalidArgument);
});
