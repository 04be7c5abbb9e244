import fs from 'node:fs';
import path from 'node:path';
import { issueApiKey } from '../auth/api-key.js';
import type { BiometricStore } from '../store/biometric-store.js';

/**
 * On a fresh installation there is no key to create the first tenant with. The first start issues
 * an operator key and writes it, readable only by the service's user, to `operator.key` in the data
 * directory; it is never logged. Later starts leave an existing file alone.
 */
export async function ensureOperatorKey(store: BiometricStore, dataDir: string): Promise<{ file: string; created: boolean }> {
  const file = path.join(dataDir, 'operator.key');
  if (fs.existsSync(file)) return { file, created: false };
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = issueApiKey();
  await store.createApiKey({
    tenantId: null,
    scopes: ['admin'],
    keyId: key.keyId,
    secretHash: key.secretHash,
    label: 'operator (bootstrap)',
  });
  fs.writeFileSync(file, key.token + '\n', { mode: 0o600, flag: 'wx' });
  return { file, created: true };
}
