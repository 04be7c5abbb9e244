import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowedFramingOrigin, CardPageTokens, hostedCardPage } from './hosted-card-page.js';
import { InvalidArgument } from '../errors/domain-errors.js';

test('the card page may be framed by the allowed origins and by http loopback origins only', () => {
  const allowed = ['https://shop.example'];
  for (const origin of ['https://shop.example', 'http://127.0.0.1:5173', 'http://localhost:40123', 'http://localhost'])
    assert.equal(allowedFramingOrigin(origin, allowed), origin);
  for (const origin of [
    'https://evil.example',
    'https://shop.example/path',
    'https://127.0.0.1:5173',
    'javascript:alert(1)',
    'http://127.0.0.1.evil.example',
    'null',
    '',
    42,
  ])
    assert.throws(() => allowedFramingOrigin(origin, allowed), InvalidArgument, String(origin));
});

test('a page token holds for its origin until it expires', () => {
  let now = new Date('2030-01-01T00:00:00Z');
  const tokens = new CardPageTokens(undefined, () => now);
  const token = tokens.issue('http://127.0.0.1:1234');
  assert.equal(tokens.valid(token, 'http://127.0.0.1:1234'), true);
  assert.equal(tokens.valid(token, 'http://127.0.0.1:9999'), false, 'another origin');
  assert.equal(
    tokens.valid(
      token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
      'http://127.0.0.1:1234',
    ),
    false,
    'altered',
  );
  assert.equal(tokens.valid(undefined, 'http://127.0.0.1:1234'), false);
  now = new Date('2030-01-01T00:16:00Z');
  assert.equal(tokens.valid(token, 'http://127.0.0.1:1234'), false, 'expired after 15 minutes');
});

test('the page runs only its own nonce-bearing script and style, and only the origin may frame it', () => {
  const origin = 'http://localhost:4000';
  const page = hostedCardPage(origin, 'token', 'bm9uY2U=');
  assert.match(page.contentSecurityPolicy, /default-src 'none'/);
  assert.match(page.contentSecurityPolicy, /script-src 'nonce-bm9uY2U='/);
  assert.match(page.contentSecurityPolicy, /frame-ancestors http:\/\/localhost:4000$/);
  assert.equal(page.html.match(/<script nonce="bm9uY2U=">/g)?.length, 1);
  assert.equal(page.html.match(/<script/g)?.length, 1, 'no other script');
  for (const id of ['pan', 'month', 'year']) assert.match(page.html, new RegExp(`<label for="${id}">`), `${id} is labelled`);
  assert.doesNotMatch(page.html, /https?:\/\/(?!localhost:4000)/, 'no external asset');
});
