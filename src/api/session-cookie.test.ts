import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { clearSessionCookie, readCookie, setSessionCookie } from './session-cookie.js';

const request = (cookie?: string | string[]) => ({ headers: cookie === undefined ? {} : { cookie } }) as never;

describe('session cookies', () => {
  it('reads a cookie by exact name among others, with or without spaces and quotes', () => {
    assert.equal(readCookie(request('a=1; fk_privacy=abc_-1; b=2'), 'fk_privacy'), 'abc_-1');
    assert.equal(readCookie(request('fk_privacy=x;fk_console=y'), 'fk_console'), 'y');
    assert.equal(readCookie(request('fk_privacy="q"'), 'fk_privacy'), 'q');
    assert.equal(readCookie(request('xfk_privacy=1; fk_privacyx=2'), 'fk_privacy'), undefined, 'names match exactly');
    assert.equal(readCookie(request('fk_privacy=first; fk_privacy=second'), 'fk_privacy'), 'first');
    assert.equal(readCookie(request('v=a=b'), 'v'), 'a=b', 'a value may contain "="');
    assert.equal(readCookie(request(), 'fk_privacy'), undefined);
    assert.equal(readCookie(request('garbage;;; =;'), 'fk_privacy'), undefined);
  });

  it('sets an httpOnly SameSite=Strict cookie, Secure only when asked, and clears it with Max-Age=0', async () => {
    const app = Fastify();
    app.get('/set', async (_req, reply) => {
      setSessionCookie(reply, { name: 'fk_privacy', value: 'abc', path: '/v1/privacy', maxAgeSeconds: 900, secure: false });
      setSessionCookie(reply, { name: 'fk_other', value: 'def', path: '/v1', maxAgeSeconds: 60, secure: true });
      return {};
    });
    app.get('/clear', async (_req, reply) => {
      clearSessionCookie(reply, 'fk_privacy', '/v1/privacy');
      return {};
    });
    const set = await app.inject({ method: 'GET', url: '/set' });
    assert.deepEqual(set.headers['set-cookie'], [
      'fk_privacy=abc; Path=/v1/privacy; Max-Age=900; HttpOnly; SameSite=Strict',
      'fk_other=def; Path=/v1; Max-Age=60; HttpOnly; SameSite=Strict; Secure',
    ]);
    const cleared = await app.inject({ method: 'GET', url: '/clear' });
    assert.equal(cleared.headers['set-cookie'], 'fk_privacy=; Path=/v1/privacy; Max-Age=0; HttpOnly; SameSite=Strict');
    await app.close();
  });

  it('refuses values that would break out of the header', async () => {
    const app = Fastify();
    app.get('/bad', async (_req, reply) => {
      setSessionCookie(reply, { name: 'fk', value: 'a; Domain=evil.example', path: '/', maxAgeSeconds: 1, secure: false });
      return {};
    });
    assert.equal((await app.inject({ method: 'GET', url: '/bad' })).statusCode, 500);
    await app.close();
  });
});
