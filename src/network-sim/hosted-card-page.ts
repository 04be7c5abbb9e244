/**
 * The network's hosted card fields: a page the kiosk frames, so the card number is typed into the
 * network's own origin and never passes through facekey or the kiosk's script. The page posts the
 * card to the network (same origin) and hands the kiosk only the token reference and last four
 * digits, by postMessage to the one origin that framed it.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { InvalidArgument } from '../errors/domain-errors.js';

/** A page's form token is good this long: enough to type a card, not to harvest tokens for later. */
export const CARD_PAGE_TOKEN_SECONDS = 15 * 60;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * `origin` exactly as a browser states one (scheme, host, port; no path), and allowed: one of the
 * configured origins (facekey's public URL), or any http loopback origin, so kiosks under test on
 * random ports work. Anything else is InvalidArgument (400).
 */
export function allowedFramingOrigin(origin: unknown, allowed: readonly string[]): string {
  if (typeof origin !== 'string' || origin.length > 200 || !URL.canParse(origin)) {
    throw new InvalidArgument('origin must be the origin of the page framing this one, e.g. http://127.0.0.1:8080');
  }
  const url = new URL(origin);
  if (url.origin !== origin || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new InvalidArgument('origin must be scheme://host[:port] exactly, without a path');
  }
  const loopback = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (!loopback && !allowed.includes(origin)) throw new InvalidArgument(`origin ${origin} may not frame the card page`);
  return origin;
}

/** Signs and checks the page's form token: which origin it was issued for, and until when. */
export class CardPageTokens {
  constructor(
    private readonly secret: Buffer = randomBytes(32),
    private readonly clock: () => Date = () => new Date(),
  ) {}

  issue(origin: string): string {
    const expires = Math.floor(this.clock().getTime() / 1000) + CARD_PAGE_TOKEN_SECONDS;
    return `${expires}.${this.mac(origin, expires)}`;
  }

  valid(token: unknown, origin: string): boolean {
    if (typeof token !== 'string') return false;
    const [expires, mac] = token.split('.');
    const seconds = Number(expires);
    if (!Number.isSafeInteger(seconds) || seconds * 1000 < this.clock().getTime() || !mac) return false;
    const expected = Buffer.from(this.mac(origin, seconds));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private mac(origin: string, expires: number): string {
    return createHmac('sha256', this.secret).update(`${origin}\n${expires}`).digest('base64url');
  }
}

/** JSON for an inline script: `<` escaped so no value can close the script element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export interface CardPage {
  readonly html: string;
  readonly contentSecurityPolicy: string;
}

/** The page, and the policy that lets only its own nonce-bearing script and style run, framed only by `origin`. */
export function hostedCardPage(origin: string, pageToken: string, nonce: string = randomBytes(16).toString('base64')): CardPage {
  const year = new Date().getUTCFullYear();
  const years = Array.from({ length: 15 }, (_, i) => year + i)
    .map((y) => `<option value="${y}">${y}</option>`)
    .join('');
  const months = Array.from({ length: 12 }, (_, i) => i + 1)
    .map((m) => `<option value="${m}">${String(m).padStart(2, '0')}</option>`)
    .join('');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Card details</title>
<style nonce="${nonce}">
  body { font: 16px/1.4 system-ui, sans-serif; margin: 0; padding: 12px; color: #111; background: #fff; }
  form { display: grid; gap: 10px; max-width: 360px; }
  label { display: grid; gap: 4px; font-weight: 600; }
  input, select, button { font: inherit; padding: 8px; border: 1px solid #555; border-radius: 4px; }
  .expiry { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
  button { background: #0b57d0; color: #fff; border-color: #0b57d0; cursor: pointer; }
  button:disabled { background: #555; border-color: #555; }
  :focus-visible { outline: 3px solid #e37400; outline-offset: 2px; }
  [role="alert"] { color: #a50e0e; min-height: 1.4em; margin: 0; }
</style>
</head>
<body>
<form id="card" novalidate>
  <label for="pan">Card number
    <input id="pan" name="pan" inputmode="numeric" autocomplete="cc-number" required maxlength="23" aria-describedby="error">
  </label>
  <div class="expiry">
    <label for="month">Expiry month
      <select id="month" name="month" autocomplete="cc-exp-month" required>${months}</select>
    </label>
    <label for="year">Expiry year
      <select id="year" name="year" autocomplete="cc-exp-year" required>${years}</select>
    </label>
  </div>
  <button id="submit" type="submit">Link card</button>
  <p id="error" role="alert" aria-live="assertive"></p>
</form>
<script nonce="${nonce}">
(() => {
  const origin = ${scriptJson(origin)};
  const pageToken = ${scriptJson(pageToken)};
  const form = document.getElementById('card');
  const error = document.getElementById('error');
  const button = document.getElementById('submit');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.textContent = '';
    button.disabled = true;
    try {
      const response = await fetch('/hosted/tokens', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        credentials: 'omit',
        body: JSON.stringify({
          pan: form.pan.value.replace(/[\\s-]/g, ''),
          expiryMonth: Number(form.month.value),
          expiryYear: Number(form.year.value),
          pageToken,
          origin,
        }),
      });
      const body = await response.json();
      if (!response.ok) throw new Error(body.detail || 'the card was not accepted');
      form.pan.value = '';
      window.parent.postMessage({ type: 'facekey.card-token', tokenRef: body.tokenRef, last4: body.last4 }, origin);
      error.textContent = '';
      button.textContent = 'Card linked (ending ' + body.last4 + ')';
    } catch (failure) {
      error.textContent = failure instanceof Error ? failure.message : String(failure);
      button.disabled = false;
      form.pan.focus();
    }
  });
})();
</script>
</body>
</html>
`;
  const contentSecurityPolicy = [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src 'nonce-${nonce}'`,
    "connect-src 'self'",
    "form-action 'none'",
    "base-uri 'none'",
    `frame-ancestors ${origin}`,
  ].join('; ');
  return { html, contentSecurityPolicy };
}
