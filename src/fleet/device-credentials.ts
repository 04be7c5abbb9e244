/**
 * Device MQTT passwords: 256-bit random secrets, so a plain SHA-256 is enough to store them (no
 * dictionary to walk), compared in constant time. The record port lets a broker adapter that
 * checks passwords itself (the embedded one) read what provisioning wrote.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface DeviceCredentialRecord {
  readonly secretHash: string;
  readonly revoked: boolean;
}

export interface DeviceCredentialRecords {
  save(deviceId: string, secretHash: string): Promise<void>;
  find(deviceId: string): Promise<DeviceCredentialRecord | undefined>;
  revoke(deviceId: string): Promise<void>;
}

export function newDevicePassword(): string {
  return randomBytes(32).toString('base64url');
}

export function hashDevicePassword(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('hex');
}

export function devicePasswordMatches(password: string, secretHash: string): boolean {
  const presented = Buffer.from(hashDevicePassword(password), 'hex');
  const stored = Buffer.from(secretHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
