import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type CachedEmbedding =
  | { readonly kind: 'template'; readonly template: Uint8Array }
  | { readonly kind: 'failure'; readonly code: string; readonly message: string };

/**
 * Templates already computed for an image's exact bytes, per engine version, so a rerun of an
 * evaluation only computes what changed. Keyed by the image's SHA-256, never by its path.
 */
export class EmbeddingCache {
  private readonly db: Database.Database;
  private readonly getStmt: Database.Statement<[string, string, string, string]>;
  private readonly putStmt: Database.Statement<[string, string, string, string, Uint8Array | null, string | null, string | null]>;

  constructor(file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // `variant` names everything besides the engine that shapes a template (the face-selection policy).
    this.db.exec(`CREATE TABLE IF NOT EXISTS embeddings_v2 (
      image_sha256 TEXT NOT NULL,
      engine TEXT NOT NULL,
      engine_version TEXT NOT NULL,
      variant TEXT NOT NULL,
      template BLOB,
      failure_code TEXT,
      failure_message TEXT,
      PRIMARY KEY (image_sha256, engine, engine_version, variant)
    )`);
    this.getStmt = this.db.prepare(
      'SELECT template, failure_code, failure_message FROM embeddings_v2 WHERE image_sha256 = ? AND engine = ? AND engine_version = ? AND variant = ?',
    );
    this.putStmt = this.db.prepare('INSERT OR REPLACE INTO embeddings_v2 VALUES (?, ?, ?, ?, ?, ?, ?)');
  }

  get(imageSha256: string, engine: string, version: string, variant: string): CachedEmbedding | undefined {
    const row = this.getStmt.get(imageSha256, engine, version, variant) as
      { template: Buffer | null; failure_code: string | null; failure_message: string | null } | undefined;
    if (!row) return undefined;
    if (row.template) return { kind: 'template', template: new Uint8Array(row.template) };
    return { kind: 'failure', code: row.failure_code ?? 'unknown', message: row.failure_message ?? '' };
  }

  put(imageSha256: string, engine: string, version: string, variant: string, value: CachedEmbedding): void {
    if (value.kind === 'template') this.putStmt.run(imageSha256, engine, version, variant, value.template, null, null);
    else this.putStmt.run(imageSha256, engine, version, variant, null, value.code, value.message);
  }

  close(): void {
    this.db.close();
  }
}
