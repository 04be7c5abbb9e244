import type { SqlDatabase } from '../store/sql/sql-database.js';
import type { DeviceCredentialRecord, DeviceCredentialRecords } from './device-credentials.js';

/** Device MQTT credentials kept on the fleet's device rows (for the embedded broker's checks). */
export class SqlDeviceCredentials implements DeviceCredentialRecords {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async save(deviceId: string, secretHash: string): Promise<void> {
    const changed = await this.db.run('UPDATE fleet_devices SET mqtt_secret_hash = ? WHERE id = ? AND revoked_at IS NULL', [secretHash, deviceId]);
    if (changed === 0) throw new Error('no such active fleet device');
  }

  async find(deviceId: string): Promise<DeviceCredentialRecord | undefined> {
    const row = await this.db.get<{ mqtt_secret_hash: string; revoked_at: string | null }>(
      'SELECT mqtt_secret_hash, revoked_at FROM fleet_devices WHERE id = ?',
      [deviceId],
    );
    return row && { secretHash: row.mqtt_secret_hash, revoked: row.revoked_at !== null };
  }

  async revoke(deviceId: string): Promise<void> {
    await this.db.run('UPDATE fleet_devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [this.clock().toISOString(), deviceId]);
  }
}
