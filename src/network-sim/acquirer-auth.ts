import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Unauthorized } from '../errors/domain-errors.js';

export const ACQUIRER_KEY_FILE = 'acquirer-api.key';

/**
 * The simulator's API key for the merchant/acquirer side (tokens, authorizations, webhooks): from
 * NETWORK_SIM_API_KEY, or generated on first start into `acquirer-api.key` (0600) in its data
 * directory. Never logged.
 */
export function loadOrCreateAcquirerKey(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, ACQUIRER_KEY_FILE);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = 'nsk_' + randomBytes(32).toString('base64url');
  fs.writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** Every route of this scope needs `Authorization: Bearer <acquirer key>`; anything else is 401 problem+json. */
export function requireAcquirerKey(app: FastifyInstance, key: string): void {
  const expected = digest(key);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    if (!timingSafeEqual(digest(given), expected)) throw new Unauthorized('missing or wrong simulator API key');
  });
}
