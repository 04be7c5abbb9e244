/**
 * Remembers each terminal's used signature nonces for as long as a signature carrying them could
 * still be accepted. The primary key makes a claim atomic across processes and servers sharing the
 * database: of two concurrent requests with one nonce, exactly one inserts the row.
 */
import type { SqlDatabase } from '../store/sql/sql-database.js';
import { repeatInBackground } from '../runtime/repeat-in-background.js';

/** What the request verifier needs from the nonce store. */
export interface NonceClaims {
  /** True when this call is the first to use the nonce before `expiresAt`. */
  claim(terminalId: string, nonce: string, expiresAt: Date): Promise<boolean>;
}

export class NonceStore implements NonceClaims {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async claim(terminalId: string, nonce: string, expiresAt: Date): Promise<boolean> {
    const now = this.clock().toISOString();
    // A row left over past its expiry (not yet purged) no longer protects anything, so it is taken
    // over; correctness thus never depends on how often purgeExpired runs.
    const changed = await this.db.run(
      `INSERT INTO used_nonces (terminal_id, nonce, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (terminal_id, nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE used_nonces.expires_at < ?`,
      [terminalId, nonce, expiresAt.toISOString(), now],
    );
    return changed === 1;
  }

  /** Deletes nonces whose signatures can no longer be accepted; returns how many. */
  purgeExpired(now: Date = this.clock()): Promise<number> {
    return this.db.run('DELETE FROM used_nonces WHERE expires_at < ?', [now.toISOString()]);
  }

  /** Purges on a timer that does not keep the process alive; returns a stop function. */
  purgeEvery(intervalMs: number, onError: (error: unknown) => void): () => void {
    return repeatInBackground(intervalMs, () => this.purgeExpired(), onError);
  }
}
