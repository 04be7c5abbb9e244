import type { SqlDatabase } from '../../src/store/sql/sql-database.js';

/** A bare fleet device row, so the embedded broker has somewhere to keep its credentials. */
export async function insertPlaceholderDevice(db: SqlDatabase, deviceId: string): Promise<void> {
  await db.run(
    `INSERT INTO fleet_devices (id, tenant_id, kind, site_id, tags, public_key, claim_id, mqtt_secret_hash, registered_at)
     VALUES (?, 'tenant', 'checkout', 'site', '[]', 'none', 'claim', '', ?)`,
    [deviceId, new Date().toISOString()],
  );
}
