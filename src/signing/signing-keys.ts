import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { SqlDatabase } from '../store/sql/sql-database.js';
import { openSigningKey, sealSigningKey } from '../crypto/envelope.js';

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

interface KeyRow {
  kid: string;
  public_jwk: string;
  sealed_private_jwk: string;
}

/**
 * The platform's ES256 signing key for assertions and receipts. It lives in the database sealed by
 * the master key, so every node of a PostgreSQL deployment signs with the same key and the JWKS
 * they publish agree; the first node to start creates it.
 */
export class SigningKeys {
  private active: SigningKey | undefined;

  constructor(
    private readonly db: SqlDatabase,
    private readonly masterKey: Buffer,
  ) {}

  async current(): Promise<SigningKey> {
    if (this.active) return this.active;
    let row = await this.newestActive();
    if (!row) {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      const kid = randomUUID();
      const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
      const sealed = sealSigningKey(this.masterKey, Buffer.from(JSON.stringify(await exportJWK(privateKey))), kid);
      await this.db.transaction(async (tx) => {
        // Two nodes starting together: the second finds the first one's key and keeps it.
        if (!(await tx.get('SELECT kid FROM signing_keys WHERE retired_at IS NULL'))) {
          await tx.run('INSERT INTO signing_keys (kid, public_jwk, sealed_private_jwk, created_at) VALUES (?, ?, ?, ?)', [
            kid,
            JSON.stringify(publicJwk),
            sealed.toString('base64'),
            new Date().toISOString(),
          ]);
        }
      });
      row = (await this.newestActive())!;
    }
    const privateJwk = JSON.parse(
      openSigningKey(this.masterKey, Buffer.from(row.sealed_private_jwk, 'base64'), row.kid).toString('utf8'),
    ) as JWK;
    this.active = {
      kid: row.kid,
      privateKey: (await importJWK(privateJwk, 'ES256')) as CryptoKey,
      publicJwk: JSON.parse(row.public_jwk) as JWK,
    };
    return this.active;
  }

  /** Every key a verifier may still meet: the JWKS document. */
  async jwks(): Promise<{ keys: JWK[] }> {
    await this.current();
    const rows = await this.db.all<{ public_jwk: string }>(
      'SELECT public_jwk FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at',
    );
    return { keys: rows.map((r) => JSON.parse(r.public_jwk) as JWK) };
  }

  private newestActive(): Promise<KeyRow | undefined> {
    return this.db.get<KeyRow>(
      'SELECT kid, public_jwk, sealed_private_jwk FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1',
    );
  }
}
