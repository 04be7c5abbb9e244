import type { SqlDatabase } from '../store/sql/sql-database.js';
import { migrateTrack, type SqlMigration } from '../store/sql/sql-migrations.js';

export const KIOSK_ENROLLMENT_MIGRATIONS: readonly SqlMigration[] = [
  {
    version: 1,
    sql: `CREATE TABLE kiosk_enrollments (
  tenant_id TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  terminal_id TEXT NOT NULL,
  enrolled_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, subject_id)
);`,
  },
];

export interface KioskEnrollmentRecord {
  readonly tenantId: string;
  readonly subjectId: string;
  readonly terminalId: string;
  readonly enrolledAt: string;
}

/**
 * Which kiosk enrolled which subject, and when: only that kiosk, and only shortly after, may link
 * the consumer's card and PIN (the person is still standing at it). Erased with the subject.
 */
export class KioskEnrollmentRecords {
  constructor(private readonly db: SqlDatabase) {}

  migrate(): Promise<void> {
    return migrateTrack(this.db, 'kiosk_enrollments', KIOSK_ENROLLMENT_MIGRATIONS);
  }

  async record(record: KioskEnrollmentRecord): Promise<void> {
    await this.db.run('INSERT INTO kiosk_enrollments (tenant_id, subject_id, terminal_id, enrolled_at) VALUES (?, ?, ?, ?)', [
      record.tenantId,
      record.subjectId,
      record.terminalId,
      record.enrolledAt,
    ]);
  }

  async of(tenantId: string, subjectId: string): Promise<KioskEnrollmentRecord | undefined> {
    const row = await this.db.get<{ terminal_id: string; enrolled_at: string }>(
      'SELECT terminal_id, enrolled_at FROM kiosk_enrollments WHERE tenant_id = ? AND subject_id = ?',
      [tenantId, subjectId],
    );
    return row ? { tenantId, subjectId, terminalId: row.terminal_id, enrolledAt: row.enrolled_at } : undefined;
  }

  eraseSubject(tenantId: string, subjectId: string): Promise<number> {
    return this.db.run('DELETE FROM kiosk_enrollments WHERE tenant_id = ? AND subject_id = ?', [tenantId, subjectId]);
  }
}
