import test from 'node:test';
import assert from 'node:assert/strict';
import { parseImagesAndJson } from './images-and-json.js';
import { InvalidArgument } from '../errors/domain-errors.js';

test('parseImagesAndJson keeps the files in order and reads --json', () => {
  assert.deepEqual(parseImagesAndJson(['a.jpg', '--json', 'b.png'], 'none'), { files: ['a.jpg', 'b.png'], json: true });
  assert.deepEqual(parseImagesAndJson(['a.jpg'], 'none'), { files: ['a.jpg'], json: false });
});

test('parseImagesAndJson refuses no files with the command’s own message, and unknown options', () => {
  assert.throws(() => parseImagesAndJson(['--json'], 'detect needs at least one image'), (error: unknown) => {
    return error instanceof InvalidArgument && error.message === 'detect needs at least one image';
  });
  assert.throws(() => parseImagesAndJson(['a.jpg', '--engine', 'x'], 'none'), /Unknown option '--engine'/);
});
