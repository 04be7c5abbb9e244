import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CHALLENGE_ACTIONS } from '../../src/pad/challenge-evaluation.js';
import { chooseLanguage, translate } from './i18n-core';
import { problemText } from './problem-text';
import { allReasonKeys, challengeKey, parseAmount, reasonKey } from './reasons';

const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const readDictionary = (lang: string): Record<string, string> => JSON.parse(fs.readFileSync(path.join(WEB, 'i18n', `${lang}.json`), 'utf8'));
const en = readDictionary('en');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'engine' ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

describe('i18n', () => {
  it('fills placeholders, falls back to English, then to the key', () => {
    assert.equal(translate({ hi: 'Hallo {name}' }, en, 'hi', { name: 'Ana' }), 'Hallo Ana');
    assert.equal(translate({}, { hi: 'Hi {name}' }, 'hi', { name: 'Ana' }), 'Hi Ana');
    assert.equal(translate({}, {}, 'missing.key'), 'missing.key');
    assert.equal(translate({ x: '{a} and {b}' }, {}, 'x', { a: 1 }), '1 and {b}');
  });

  it('chooses the first preferred language on offer, by primary subtag too, else English', () => {
    assert.equal(chooseLanguage(['ja-JP', 'en-US'], ['en', 'ja']), 'ja');
    assert.equal(chooseLanguage(['fr'], ['en', 'ja']), 'en');
    assert.equal(chooseLanguage([], ['ja']), 'ja');
  });

  it('has an English text for every key the apps name literally', () => {
    const namespaces = new Set(Object.keys(en).map((k) => k.split('.')[0]!));
    const missing = new Set<string>();
    for (const file of sourceFiles(WEB)) {
      for (const [, key] of fs.readFileSync(file, 'utf8').matchAll(/['`]([a-z]+\.[A-Za-z_.]+)['`]/g)) {
        if (namespaces.has(key!.split('.')[0]!) && !(key! in en) && !/\.(ts|tsx|json|js|css|html)$/.test(key!)) missing.add(`${path.relative(WEB, file)}: ${key}`);
      }
    }
    assert.deepEqual([...missing], []);
  });

  it('has a plain-language text for every checkout reason and every challenge action', () => {
    assert.deepEqual(allReasonKeys().filter((k) => !(k in en)), []);
    assert.deepEqual(CHALLENGE_ACTIONS.map(challengeKey).filter((k) => !(k in en)), []);
    assert.equal(reasonKey('no_match'), 'reason.no_match');
    assert.equal(reasonKey('something_new'), 'reason.unknown');
  });

  it('keeps every other language to the English keys (a new language is only a new JSON file)', () => {
    for (const file of fs.readdirSync(path.join(WEB, 'i18n')).filter((f) => f.endsWith('.json') && f !== 'en.json')) {
      const extra = Object.keys(readDictionary(file.replace(/\.json$/, ''))).filter((k) => !(k in en));
      assert.deepEqual(extra, [], `${file} has keys English lacks`);
    }
  });

  it('words problems by code, else by status class', () => {
    const lookup = (key: string) => translate(en, en, key);
    assert.equal(problemText('rate_limited', { status: 429 }, lookup), en['problem.rate_limited']);
    assert.equal(problemText('brand_new_code', { status: 400 }, lookup), en['problem.generic']);
    assert.equal(problemText('http_502', { status: 502 }, lookup), en['problem.server']);
    assert.equal(problemText('network', { status: 0 }, lookup), en['problem.network']);
  });

  it('reads cashier amounts into minor units', () => {
    assert.equal(parseAmount('12.5'), 1250);
    assert.equal(parseAmount('12,05'), 1205);
    assert.equal(parseAmount(' 7 '), 700);
    assert.equal(parseAmount('0'), undefined);
    assert.equal(parseAmount('1.234'), undefined);
    assert.equal(parseAmount('-3'), undefined);
  });
});
