import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidArgument } from '../../errors/domain-errors.js';
import { evaluatePad } from './eval-pad-command.js';

const io = { out: () => undefined, err: () => undefined };

test('eval pad --policy takes a JSON object of known policy fields, refused before any model loads', async () => {
  await assert.rejects(evaluatePad(['--images', 'nowhere', '--policy', 'not json'], io), InvalidArgument);
  await assert.rejects(evaluatePad(['--images', 'nowhere', '--policy', '[1]'], io), InvalidArgument);
  await assert.rejects(evaluatePad(['--images', 'nowhere', '--policy', '{"minParallax":1}'], io), /unknown fields: minParallax/);
});
