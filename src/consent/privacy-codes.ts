import { createHmac, hkdfSync, randomInt } from 'node:crypto';
import type { SqlDatabase } from '../store/sql/sql-database.js';

/**
 * The code printed on a consumer's consent receipt, with which they sign in to the privacy portal.
 * 16 symbols of a 32-symbol alphabet (80 bits), in four groups of four, from letters and digits
 * that cannot be mistaken for one another when typed from paper: no 0/O, no 1/I.
 */
export const PRIVACY_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
const GROUPS = 4;
const GROUP_LENGTH = 4;

/** A code as typed: case, spaces and dashes do not matter; undefined when it cannot be a code. */
export function normalisePrivacyCode(typed: string): string | undefined {
  const compact = typed.toUpperCase().replace(/[\s-]+/g, '');
  if (compact.length !== GROUPS * GROUP_LENGTH) return undefined;
  for (const symbol of compact) if (!PRIVACY_CODE_ALPHABET.includes(symbol)) return undefined;
  return compact;
}

export function randomPrivacyCode(pick: (n: number) => number = (n) => randomInt(n)): string {
  const symbols = Array.from({ length: GROUPS * GROUP_LENGTH }, () => PRIVACY_CODE_ALPHABET[pick(PRIVACY_CODE_ALPHABET.length)]!);
  const groups: string[] = [];
  for (let g = 0; g < GROUPS; g += 1) groups.push(symbols.slice(g * GROUP_LENGTH, (g + 1) * GROUP_LENGTH).join(''));
  return groups.join('-');
}

export interface PrivacyCodeOwner {
  readonly tenantId: string;
  readonly subjectId: string;
}

/**
 * Privacy codes are shown once and stored only as an HMAC under a key derived from the master key:
 * deterministic, so a sign-in finds its subject with one indexed lookup, and keyed, so a copy of
 * the database alone does not let anyone test guesses offline. One code per subject; erasure
 * deletes it with the subject.
 */
export class PrivacyCodes {
  private readonly key: Buffer;

  constructor(
    private readonly db: SqlDatabase,
    masterKey: Buffer,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'facekey/privacy-code', 32));
  }

  /** A new code for the subject (replacing any earlier one); the only time it exists in the clear. */
  async issue(owner: PrivacyCodeOwner): Promise<string> {
    const code = randomPrivacyCode();
    await this.eraseSubject(owner.tenantId, owner.subjectId);
    await this.db.run('INSERT INTO privacy_codes (code_hash, tenant_id, subject_id, created_at) VALUES (?, ?, ?, ?)', [
      this.hash(normalisePrivacyCode(code)!),
      owner.tenantId,
      owner.subjectId,
      this.clock().toISOString(),
    ]);
    return code;
  }

  /** The subject a typed code belongs to; undefined for anything else. */
  async owner(typed: string): Promise<PrivacyCodeOwner | undefined> {
    const code = normalisePrivacyCode(typed);
    if (code === undefined) return undefined;
    const row = await this.db.get<{ tenant_id: string; subject_id: string }>(
      'SELECT tenant_id, subject_id FROM privacy_codes WHERE code_hash = ?',
      [this.hash(code)],
    );
    return row ? { tenantId: row.tenant_id, subjectId: row.subject_id } : undefined;
  }

  /** Erasure: the code of an erased subject signs in nobody. Returns the codes deleted (0 or 1). */
  eraseSubject(tenantId: string, subjectId: string): Promise<number> {
    return this.db.run('DELETE FROM privacy_codes WHERE tenant_id = ? AND subject_id = ?', [tenantId, subjectId]);
  }

  private hash(code: string): string {
    return createHmac('sha256', this.key).update(code).digest('base64url');
  }
}
