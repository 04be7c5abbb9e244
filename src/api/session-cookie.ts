/**
 * The few lines of cookie handling the browser sessions (privacy portal, console) need, instead of
 * a cookie plugin: read one cookie by name, set an httpOnly SameSite=Strict session cookie, clear it.
 * Values we set are base64url, so they need no quoting; values we read are returned as sent.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The privacy portal's session cookie (the console's is CONSOLE_COOKIE in authenticate.ts). */
export const PRIVACY_COOKIE = 'fk_privacy';

/** RFC 6265 cookie-name: a token (no separators, controls or spaces). */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** RFC 6265 cookie-octet, which also excludes `;`, `,`, `"`, `\` and spaces. */
const COOKIE_VALUE = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;
const COOKIE_PATH = /^\/[\x21-\x3A\x3C-\x7E]*$/;

/** The value of the first cookie called `name` in the request's Cookie header(s); undefined when absent. */
export function readCookie(request: Pick<FastifyRequest, 'headers'>, name: string): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const line of Array.isArray(header) ? header : [header]) {
    for (const pair of line.split(';')) {
      const at = pair.indexOf('=');
      if (at === -1 || pair.slice(0, at).trim() !== name) continue;
      let value = pair.slice(at + 1).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      return value;
    }
  }
  return undefined;
}

export interface SessionCookie {
  readonly name: string;
  readonly value: string;
  /** The narrowest path the session is needed under (the browser sends it nowhere else). */
  readonly path: string;
  readonly maxAgeSeconds: number;
  /** Whether the service's public URL is https: then the cookie never travels in the clear. */
  readonly secure: boolean;
}

function serialise({ name, value, path, maxAgeSeconds, secure }: SessionCookie): string {
  if (!COOKIE_NAME.test(name)) throw new Error(`invalid cookie name "${name}"`);
  if (!COOKIE_VALUE.test(value)) throw new Error('invalid cookie value');
  if (!COOKIE_PATH.test(path)) throw new Error(`invalid cookie path "${path}"`);
  if (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds < 0) throw new Error('cookie Max-Age must be a non-negative integer');
  return [`${name}=${value}`, `Path=${path}`, `Max-Age=${maxAgeSeconds}`, 'HttpOnly', 'SameSite=Strict', ...(secure ? ['Secure'] : [])].join('; ');
}

/** Adds a Set-Cookie header; Fastify appends set-cookie headers, so others already set on the reply stay. */
function appendSetCookie(reply: FastifyReply, cookie: string): void {
  reply.header('set-cookie', cookie);
}

/** Sets an httpOnly, SameSite=Strict session cookie (Secure when asked) that expires after `maxAgeSeconds`. */
export function setSessionCookie(reply: FastifyReply, cookie: SessionCookie): void {
  appendSetCookie(reply, serialise(cookie));
}

/** Tells the browser to drop the cookie at once (same name and path, empty value, Max-Age=0). */
export function clearSessionCookie(reply: FastifyReply, name: string, path: string, secure = false): void {
  appendSetCookie(reply, serialise({ name, value: '', path, maxAgeSeconds: 0, secure }));
}
