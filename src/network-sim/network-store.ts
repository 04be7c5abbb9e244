import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrateNetworkStore } from './network-migrations.js';
import { open, seal } from './vault-cipher.js';

export type TokenStatus = 'active' | 'deleted';
export type Decision = 'approved' | 'declined';

export interface TokenRecord {
  readonly tokenRef: string;
  readonly last4: string;
  /** `YYYY-MM`. */
  readonly expiry: string;
  readonly status: TokenStatus;
  readonly createdAt: string;
}

export interface AuthorizationRecord {
  readonly id: string;
  /** The jti this authorization consumed; null when it consumed none (invalid assertion, replay). */
  readonly consumedJti: string | null;
  /** The jti presented in a correctly signed assertion, null when the signature did not hold. */
  readonly presentedJti: string | null;
  readonly tokenRef: string | null;
  readonly amount: number;
  readonly currency: string;
  readonly merchant: string;
  readonly merchantRef: string;
  readonly decision: Decision;
  readonly reasons: readonly string[];
  readonly createdAt: string;
}

export interface WebhookTarget {
  readonly id: string;
  readonly url: string;
  readonly secret: string;
}

export const NETWORK_DB_FILE = 'network-sim.sqlite';

/**
 * The simulator's own SQLite file. Card numbers and webhook secrets are sealed with the vault key
 * before they reach a statement, so neither the database nor its WAL ever holds them in clear.
 */
export class NetworkStore {
  private readonly db: Database.Database;

  constructor(
    dataDir: string,
    private readonly vaultKey: Buffer,
  ) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    this.db = new Database(path.join(dataDir, NETWORK_DB_FILE));
    this.db.pragma('journal_mode = WAL');
    // An acknowledged authorization (and the jti it consumed) must survive a power cut, or a
    // replayed assertion could be approved after a restart.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    // A deleted token's ciphertext is zeroed rather than left in free pages.
    this.db.pragma('secure_delete = ON');
    migrateNetworkStore(this.db);
  }

  /** Runs `work` under the write lock: reads inside it cannot be invalidated by another writer. */
  atomically<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  insertToken(token: { tokenRef: string; pan: string; expiry: string; createdAt: string }): TokenRecord {
    const last4 = token.pan.slice(-4);
    this.db
      .prepare("INSERT INTO tokens (token_ref, pan_ciphertext, last4, expiry, status, created_at) VALUES (?, ?, ?, ?, 'active', ?)")
      .run(token.tokenRef, seal(this.vaultKey, token.pan, token.tokenRef), last4, token.expiry, token.createdAt);
    return { tokenRef: token.tokenRef, last4, expiry: token.expiry, status: 'active', createdAt: token.createdAt };
  }

  getToken(tokenRef: string): TokenRecord | undefined {
    const row = this.db.prepare('SELECT token_ref, last4, expiry, status, created_at FROM tokens WHERE token_ref = ?').get(tokenRef) as
      { token_ref: string; last4: string; expiry: string; status: TokenStatus; created_at: string } | undefined;
    return row && { tokenRef: row.token_ref, last4: row.last4, expiry: row.expiry, status: row.status, createdAt: row.created_at };
  }

  /** The row stays (a later authorization must learn the token is inactive); the card number goes. */
  deleteToken(tokenRef: string): boolean {
    const result = this.db.prepare("UPDATE tokens SET status = 'deleted', pan_ciphertext = NULL WHERE token_ref = ?").run(tokenRef);
    return result.changes > 0;
  }

  jtiConsumed(jti: string): boolean {
    return this.db.prepare('SELECT 1 FROM authorizations WHERE jti = ?').get(jti) !== undefined;
  }

  insertAuthorization(a: AuthorizationRecord): void {
    this.db
      .prepare(
        `INSERT INTO authorizations (id, jti, presented_jti, token_ref, amount, currency, merchant, merchant_ref, decision, reasons, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        a.id,
        a.consumedJti,
        a.presentedJti,
        a.tokenRef,
        a.amount,
        a.currency,
        a.merchant,
        a.merchantRef,
        a.decision,
        JSON.stringify(a.reasons),
        a.createdAt,
      );
  }

  getAuthorization(id: string): AuthorizationRecord | undefined {
    const row = this.db.prepare('SELECT * FROM authorizations WHERE id = ?').get(id) as AuthorizationRow | undefined;
    return (
      row && {
        id: row.id,
        consumedJti: row.jti,
        presentedJti: row.presented_jti,
        tokenRef: row.token_ref,
        amount: row.amount,
        currency: row.currency,
        merchant: row.merchant,
        merchantRef: row.merchant_ref,
        decision: row.decision,
        reasons: JSON.parse(row.reasons) as string[],
        createdAt: row.created_at,
      }
    );
  }

  insertWebhook(webhook: WebhookTarget & { createdAt: string }): void {
    this.db
      .prepare('INSERT INTO webhooks (id, url, secret, created_at) VALUES (?, ?, ?, ?)')
      .run(webhook.id, webhook.url, seal(this.vaultKey, webhook.secret, webhook.id), webhook.createdAt);
  }

  listWebhooks(): WebhookTarget[] {
    const rows = this.db.prepare('SELECT id, url, secret FROM webhooks ORDER BY created_at, id').all() as {
      id: string;
      url: string;
      secret: Buffer;
    }[];
    return rows.map((row) => ({ id: row.id, url: row.url, secret: open(this.vaultKey, row.secret, row.id) }));
  }

  close(): void {
    this.db.close();
  }
}

interface AuthorizationRow {
  id: string;
  jti: string | null;
  presented_jti: string | null;
  token_ref: string | null;
  amount: number;
  currency: string;
  merchant: string;
  merchant_ref: string;
  decision: Decision;
  reasons: string;
  created_at: string;
}
