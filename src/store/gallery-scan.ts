/**
 * The gallery scan both vault adapters share: keyset batches (never one open cursor, so a slow
 * consumer pins no connection and blocks no statement), each row decrypted with its subject's key.
 */
import type { GalleryEntry } from './biometric-store.js';
import { openForSubject } from './subject-encryption.js';

/** One template row joined with its subject's wrapped data key, as both adapters select it. */
export interface GalleryRow {
  id: string;
  tenant_id: string;
  subject_id: string;
  ciphertext: Buffer;
  wrapped_key: Buffer;
}

/** Reads `fetchBatch(after)` (rows with id > after, ordered by id, at most batchSize) until a short batch. */
export async function* scanInBatches(
  masterKey: Buffer,
  batchSize: number,
  fetchBatch: (after: string) => Promise<GalleryRow[]> | GalleryRow[],
): AsyncGenerator<GalleryEntry> {
  let after = '';
  for (;;) {
    const rows = await fetchBatch(after);
    for (const row of rows) {
      const templateRow = { tenantId: row.tenant_id, subjectId: row.subject_id, templateId: row.id };
      yield { ...templateRow, template: openForSubject(masterKey, row.wrapped_key, templateRow, row.ciphertext) };
    }
    if (rows.length < batchSize) return;
    after = rows[rows.length - 1]!.id;
  }
}
