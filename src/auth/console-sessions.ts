/**
 * Merchant-console sessions: an API key, presented once at sign-in, becomes a short-lived session
 * whose id travels only in an HttpOnly cookie. Only SHA-256 hashes of the session id and of its
 * CSRF token are stored (both have 256 random bits, so no stretching is needed): a database
 * reader cannot ride a live session. A session names the key it came from; authentication looks
 * the key up on every request, so revoking the key ends its sessions at once.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SqlDatabase } from '../store/sql/sql-database.js';
import { migrateTrack, type SqlMigration } from '../store/sql/sql-migrations.js';

/** Thirty minutes from sign-in, not sliding: a forgotten console tab does not stay signed in. */
export const CONSOLE_SESSION_SECONDS = 30 * 60;

const CONSOLE_SESSION_MIGRATIONS: readonly SqlMigration[] = [
  {
    version: 1,
    sql: `CREATE TABLE console_sessions (
  id_hash TEXT PRIMARY KEY,
  key_id TEXT NOT NULL,
  tenant_id TEXT NOT NULL,
  csrf_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX console_sessions_by_expiry ON console_sessions (expires_at);`,
  },
];

export interface IssuedConsoleSession {
  /** The cookie value: shown to the browser once, stored only as a hash. */
  readonly sessionId: string;
  /** Sent back by the page in `x-csrf-token` on every state-changing request. */
  readonly csrfToken: string;
  readonly expiresAt: string;
}

export interface ConsoleSession {
  readonly keyId: string;
  readonly tenantId: string;
  readonly expiresAt: string;
  /** Constant-time check of a presented CSRF token against this session's. */
  csrfMatches(token: string | undefined): boolean;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text).digest();

interface SessionRow {
  key_id: string;
  tenant_id: string;
  csrf_hash: string;
  expires_at: string;
}

export class ConsoleSessions {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: () => Date = () => new Date(),
    readonly lifetimeSeconds: number = CONSOLE_SESSION_SECONDS,
  ) {}

  migrate(): Promise<void> {
    return migrateTrack(this.db, 'console_sessions', CONSOLE_SESSION_MIGRATIONS);
  }

  async create(owner: { keyId: string; tenantId: string }): Promise<IssuedConsoleSession> {
    const now = this.clock();
    // Expired rows go whenever someone signs in, so the table stays as small as the live sessions.
    await this.db.run('DELETE FROM console_sessions WHERE expires_at <= ?', [now.toISOString()]);
    const sessionId = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.lifetimeSeconds * 1000).toISOString();
    await this.db.run(
      'INSERT INTO console_sessions (id_hash, key_id, tenant_id, csrf_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      [sha256(sessionId).toString('hex'), owner.keyId, owner.tenantId, sha256(csrfToken).toString('hex'), now.toISOString(), expiresAt],
    );
    return { sessionId, csrfToken, expiresAt };
  }

  /** The live session with this id; undefined when unknown or expired. */
  async find(sessionId: string): Promise<ConsoleSession | undefined> {
    const row = await this.db.get<SessionRow>('SELECT key_id, tenant_id, csrf_hash, expires_at FROM console_sessions WHERE id_hash = ?', [
      sha256(sessionId).toString('hex'),
    ]);
    if (!row || Date.parse(row.expires_at) <= this.clock().getTime()) return undefined;
    const expected = Buffer.from(row.csrf_hash, 'hex');
    return {
      keyId: row.key_id,
      tenantId: row.tenant_id,
      expiresAt: row.expires_at,
      csrfMatches: (token) => typeof token === 'string' && token !== '' && timingSafeEqual(sha256(token), expected),
    };
  }

  /** Signing out; ending an unknown session is not an error. */
  async end(sessionId: string): Promise<void> {
    await this.db.run('DELETE FROM console_sessions WHERE id_hash = ?', [sha256(sessionId).toString('hex')]);
  }
}
