/**
 * The few cookie operations the browser sessions need (console, privacy portal), written here
 * rather than pulling in @fastify/cookie: one session cookie per app, always HttpOnly and
 * SameSite=Strict, so no page script can read it and no other site's request carries it.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The value of cookie `name` in the request's Cookie header; undefined when absent or empty. */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string' || header === '') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (value === '') return undefined;
    try {
      return decodeURIComponent(value);
    } catch {
      return undefined; // a malformed escape is no credential
    }
  }
  return undefined;
}

export interface SessionCookie {
  readonly name: string;
  readonly value: string;
  /** The cookie is sent only to paths under this one. */
  readonly path: string;
  readonly maxAgeSeconds: number;
  /** Set when the service is reached over https, so the cookie never travels in clear. */
  readonly secure: boolean;
}

function appendSetCookie(reply: FastifyReply, cookie: string): void {
  const existing = reply.getHeader('set-cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
  reply.header('set-cookie', [...list, cookie]);
}

export function setSessionCookie(reply: FastifyReply, cookie: SessionCookie): void {
  const attributes = [
    `${cookie.name}=${encodeURIComponent(cookie.value)}`,
    `Path=${cookie.path}`,
    `Max-Age=${Math.max(0, Math.floor(cookie.maxAgeSeconds))}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(cookie.secure ? ['Secure'] : []),
  ];
  appendSetCookie(reply, attributes.join('; '));
}

/** Tells the browser to drop the cookie at once (same name and path it was set with). */
export function clearSessionCookie(reply: FastifyReply, name: string, path: string): void {
  appendSetCookie(reply, `${name}=; Path=${path}; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict`);
}
