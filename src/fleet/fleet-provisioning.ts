/**
 * Provisioning by claim. An admin creates a claim (tenant, device kind, site, tags, expiry, number
 * of uses) and hands its token to the installer; a new device presents it once with its Ed25519
 * public key and a signature over the token by the matching private key (proof of possession),
 * and receives its own MQTT credentials. The device is also a terminal of the tenant (same id,
 * same key), so it can sign checkout requests too. Claims, registrations, rotations and
 * revocations are audited; a revoked device is refused by the broker and disconnected at once.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual, verify } from 'node:crypto';
import type { SqlDatabase } from '../store/sql/sql-database.js';
import type { AuditSink } from '../audit/audit-sink.js';
import { Forbidden, InvalidArgument, NotFound, Unauthorized } from '../errors/domain-errors.js';
import { TERMINAL_KINDS, type TerminalKind, type TerminalRegistry } from '../devices/terminal-registry.js';
import { ed25519PublicKeyFromJwk, ed25519PublicKeyObject } from '../devices/ed25519-public-key.js';
import type { DeviceBrokerAccess } from './fleet-broker.js';
import { hashDevicePassword, newDevicePassword } from './device-credentials.js';
import { downTopic, upTopic } from './fleet-topics.js';
import { camelRow } from '../store/sql/camel-row.js';
import { claimProofText } from './claim-proof.js';

export interface NewClaim {
  readonly kind: TerminalKind;
  readonly siteId: string;
  readonly tags?: readonly string[];
  /** 60 s to 30 days. */
  readonly expiresInSeconds: number;
  /** 1 to 10,000 devices. */
  readonly maxUses: number;
}

export interface Claim {
  readonly id: string;
  readonly tenantId: string;
  readonly kind: TerminalKind;
  readonly siteId: string;
  readonly tags: readonly string[];
  readonly expiresAt: string;
  readonly maxUses: number;
  readonly uses: number;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

export interface Registration {
  readonly claimToken: string;
  /** Ed25519 public JWK. */
  readonly publicKey: unknown;
  /** base64url Ed25519 signature over claimProofBytes(claimToken, publicKey.x). */
  readonly proof: string;
  readonly label?: string;
}

export interface FleetDevice {
  readonly id: string;
  readonly tenantId: string;
  readonly kind: TerminalKind;
  readonly siteId: string;
  readonly tags: readonly string[];
  readonly claimId: string;
  readonly registeredAt: string;
  readonly rotatedAt: string | null;
  readonly revokedAt: string | null;
}

export interface MqttCredentials {
  readonly url: string;
  readonly clientId: string;
  readonly username: string;
  /** Shown once. */
  readonly password: string;
}

export interface DeviceTopics {
  readonly presence: string;
  readonly telemetry: string;
  readonly twinReported: string;
  readonly jobUpdates: string;
  readonly twinDesired: string;
  readonly jobs: string;
}

export interface ProvisionedDevice {
  readonly device: FleetDevice;
  readonly mqtt: MqttCredentials;
  readonly topics: DeviceTopics;
}

/** Where a device is now and what it is tagged with (it moved, or its role changed). */
export interface DevicePlacement {
  readonly siteId?: string;
  readonly tags?: readonly string[];
}

export interface DeviceQuery {
  readonly kind?: TerminalKind;
  readonly siteId?: string;
  readonly tag?: string;
}

const SITE_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const TAG = /^[A-Za-z0-9_.:-]{1,64}$/;
const TOKEN = /^fkc_([0-9a-f-]{36})_([A-Za-z0-9_-]{43})$/;

/** What the device signs to prove it holds the private key of the public key it registers. */
export function claimProofBytes(claimToken: string, publicKeyX: string): Buffer {
  return Buffer.from(claimProofText(claimToken, publicKeyX), 'utf8');
}

export function deviceTopics(deviceId: string): DeviceTopics {
  return {
    presence: upTopic(deviceId, 'presence'),
    telemetry: upTopic(deviceId, 'telemetry'),
    twinReported: upTopic(deviceId, 'twin/reported'),
    jobUpdates: upTopic(deviceId, 'jobs'),
    twinDesired: downTopic(deviceId, 'twin/desired'),
    jobs: downTopic(deviceId, 'jobs'),
  };
}

interface ClaimRow {
  id: string;
  tenant_id: string;
  kind: TerminalKind;
  site_id: string;
  tags: string;
  secret_hash: string;
  expires_at: string;
  max_uses: number;
  uses: number;
  created_at: string;
  revoked_at: string | null;
}

interface DeviceRow {
  id: string;
  tenant_id: string;
  kind: TerminalKind;
  site_id: string;
  tags: string;
  public_key: string;
  claim_id: string;
  registered_at: string;
  rotated_at: string | null;
  revoked_at: string | null;
}

const DEVICE_COLUMNS = 'id, tenant_id, kind, site_id, tags, public_key, claim_id, registered_at, rotated_at, revoked_at';

const sha256 = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');

export interface FleetProvisioningDependencies {
  readonly db: SqlDatabase;
  readonly terminals: TerminalRegistry;
  readonly access: DeviceBrokerAccess;
  readonly deviceUrl: string;
  readonly audit: AuditSink;
  readonly clock: () => Date;
  /** Told when a device is revoked, so caches (the message verifier) drop it and presence records it. */
  readonly onDeviceRevoked?: (deviceId: string, tenantId: string) => Promise<void>;
  /** Told when a device's site or tags change, so caches holding its site drop it. */
  readonly onDeviceMoved?: (deviceId: string) => void;
}

export class FleetProvisioning {
  constructor(private readonly deps: FleetProvisioningDependencies) {}

  async createClaim(tenantId: string, input: NewClaim, actor: string): Promise<{ claim: Claim; token: string }> {
    if (!TERMINAL_KINDS.includes(input.kind)) throw new InvalidArgument(`kind must be one of ${TERMINAL_KINDS.join(', ')}`);
    checkSiteId(input.siteId);
    const tags = checkedTags(input.tags ?? []);
    if (!Number.isInteger(input.expiresInSeconds) || input.expiresInSeconds < 60 || input.expiresInSeconds > 30 * 86_400)
      throw new InvalidArgument('expiresInSeconds must be an integer from 60 to 2592000 (30 days)');
    if (!Number.isInteger(input.maxUses) || input.maxUses < 1 || input.maxUses > 10_000) throw new InvalidArgument('maxUses must be an integer from 1 to 10000');
    const now = this.deps.clock();
    const id = randomUUID();
    const secret = randomBytes(32).toString('base64url');
    const row: ClaimRow = {
      id,
      tenant_id: tenantId,
      kind: input.kind,
      site_id: input.siteId,
      tags: JSON.stringify(tags),
      secret_hash: sha256(secret),
      expires_at: new Date(now.getTime() + input.expiresInSeconds * 1000).toISOString(),
      max_uses: input.maxUses,
      uses: 0,
      created_at: now.toISOString(),
      revoked_at: null,
    };
    await this.deps.db.run(
      'INSERT INTO fleet_claims (id, tenant_id, kind, site_id, tags, secret_hash, expires_at, max_uses, uses, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [row.id, row.tenant_id, row.kind, row.site_id, row.tags, row.secret_hash, row.expires_at, row.max_uses, row.uses, row.created_at, row.revoked_at],
    );
    await this.deps.audit.append({
      type: 'fleet.claim_created',
      tenantId,
      actor,
      data: { claimId: id, kind: row.kind, siteId: row.site_id, tags, expiresAt: row.expires_at, maxUses: row.max_uses },
    });
    return { claim: toClaim(row), token: `fkc_${id}_${secret}` };
  }

  async revokeClaim(tenantId: string, claimId: string, actor: string): Promise<Claim> {
    const changed = await this.deps.db.run('UPDATE fleet_claims SET revoked_at = ? WHERE id = ? AND tenant_id = ? AND revoked_at IS NULL', [
      this.deps.clock().toISOString(),
      claimId,
      tenantId,
    ]);
    if (changed > 0) await this.deps.audit.append({ type: 'fleet.claim_revoked', tenantId, actor, data: { claimId } });
    const row = await this.deps.db.get<ClaimRow>('SELECT * FROM fleet_claims WHERE id = ? AND tenant_id = ?', [claimId, tenantId]);
    if (!row) throw new NotFound('no such claim');
    return toClaim(row);
  }

  /** A tenant's claims, newest first (never their secrets). */
  async listClaims(tenantId: string, limit = 100): Promise<Claim[]> {
    const rows = await this.deps.db.all<ClaimRow>('SELECT * FROM fleet_claims WHERE tenant_id = ? ORDER BY created_at DESC, id LIMIT ?', [tenantId, limit]);
    return rows.map(toClaim);
  }

  /** A device presents its claim. Every refusal of the token itself is the same 401, so tokens cannot be probed. */
  async register(input: Registration): Promise<ProvisionedDevice> {
    const match = typeof input.claimToken === 'string' ? TOKEN.exec(input.claimToken) : null;
    const row = match ? await this.deps.db.get<ClaimRow>('SELECT * FROM fleet_claims WHERE id = ?', [match[1]!]) : undefined;
    if (!match || !row || !safeEqualHex(sha256(match[2]!), row.secret_hash)) throw new Unauthorized('unknown or malformed claim token');
    const publicKey = ed25519PublicKeyFromJwk(input.publicKey);
    const proof = typeof input.proof === 'string' ? Buffer.from(input.proof, 'base64url') : Buffer.alloc(0);
    if (proof.length !== 64 || !verify(null, claimProofBytes(input.claimToken, publicKey), ed25519PublicKeyObject(publicKey), proof))
      throw new Unauthorized('the proof of possession does not verify with the presented public key');
    const now = this.deps.clock().toISOString();
    // One atomic step decides the use, so concurrent registrations cannot exceed maxUses.
    const used = await this.deps.db.run(
      'UPDATE fleet_claims SET uses = uses + 1 WHERE id = ? AND uses < max_uses AND revoked_at IS NULL AND expires_at > ?',
      [row.id, now],
    );
    if (used === 0) throw new Forbidden(row.revoked_at ? 'the claim was revoked' : row.expires_at <= now ? 'the claim has expired' : 'the claim is used up');

    const actor = `claim:${row.id}`;
    const label = typeof input.label === 'string' && input.label.trim() ? input.label.slice(0, 200) : `${row.kind}@${row.site_id}`;
    const terminal = await this.deps.terminals.register(row.tenant_id, { label, kind: row.kind, publicKey: input.publicKey }, actor);
    const password = newDevicePassword();
    const device: DeviceRow = {
      id: terminal.id,
      tenant_id: row.tenant_id,
      kind: row.kind,
      site_id: row.site_id,
      tags: row.tags,
      public_key: publicKey,
      claim_id: row.id,
      registered_at: now,
      rotated_at: null,
      revoked_at: null,
    };
    await this.deps.db.transaction(async (tx) => {
      await tx.run(`INSERT INTO fleet_devices (${DEVICE_COLUMNS}, mqtt_secret_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
        device.id,
        device.tenant_id,
        device.kind,
        device.site_id,
        device.tags,
        device.public_key,
        device.claim_id,
        device.registered_at,
        device.rotated_at,
        device.revoked_at,
        hashDevicePassword(password),
      ]);
      await tx.run(
        "INSERT INTO fleet_twins (device_id, tenant_id, desired, desired_version, reported, reported_version) VALUES (?, ?, '{}', 0, '{}', 0)",
        [device.id, device.tenant_id],
      );
      await tx.run("INSERT INTO fleet_presence (device_id, tenant_id, state, since, reason) VALUES (?, ?, 'offline', ?, 'never_connected')", [
        device.id,
        device.tenant_id,
        now,
      ]);
    });
    await this.deps.access.grant(device.id, password);
    await this.deps.audit.append({
      type: 'fleet.device_registered',
      tenantId: row.tenant_id,
      actor,
      data: { deviceId: device.id, claimId: row.id, kind: row.kind, siteId: row.site_id },
    });
    return {
      device: toDevice(device),
      mqtt: { url: this.deps.deviceUrl, clientId: device.id, username: device.id, password },
      topics: deviceTopics(device.id),
    };
  }

  /** A new MQTT password for an active device; the old one stops working at once. */
  async rotateCredentials(tenantId: string, deviceId: string, actor: string): Promise<MqttCredentials> {
    const device = await this.activeDevice(tenantId, deviceId);
    const password = newDevicePassword();
    await this.deps.db.run('UPDATE fleet_devices SET mqtt_secret_hash = ?, rotated_at = ? WHERE id = ?', [
      hashDevicePassword(password),
      this.deps.clock().toISOString(),
      device.id,
    ]);
    await this.deps.access.grant(device.id, password);
    await this.deps.audit.append({ type: 'fleet.credentials_rotated', tenantId, actor, data: { deviceId } });
    return { url: this.deps.deviceUrl, clientId: device.id, username: device.id, password };
  }

  /** Permanent: the broker refuses and disconnects the device, and its terminal key is revoked. Idempotent. */
  async revokeDevice(tenantId: string, deviceId: string, actor: string): Promise<FleetDevice> {
    const now = this.deps.clock().toISOString();
    const row = await this.deps.db.get<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM fleet_devices WHERE id = ? AND tenant_id = ?`, [deviceId, tenantId]);
    if (!row) throw new NotFound('no such device');
    const changed = await this.deps.db.run('UPDATE fleet_devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [now, deviceId]);
    // The broker is told even when the row was already revoked: a retry after a failed broker call must still cut it off.
    await this.deps.access.revoke(deviceId);
    await this.deps.terminals.revoke(tenantId, deviceId, actor);
    await this.deps.onDeviceRevoked?.(deviceId, tenantId);
    if (changed > 0) await this.deps.audit.append({ type: 'fleet.device_revoked', tenantId, actor, data: { deviceId } });
    return toDevice({ ...row, revoked_at: row.revoked_at ?? now });
  }

  /** Moves an active device to another site or retags it; continuous jobs pick it up if it now matches. Audited. */
  async placeDevice(tenantId: string, deviceId: string, placement: DevicePlacement, actor: string): Promise<FleetDevice> {
    const device = await this.activeDevice(tenantId, deviceId);
    const siteId = placement.siteId ?? device.siteId;
    checkSiteId(siteId);
    const tags = placement.tags === undefined ? device.tags : checkedTags(placement.tags);
    await this.deps.db.run('UPDATE fleet_devices SET site_id = ?, tags = ? WHERE id = ? AND tenant_id = ?', [siteId, JSON.stringify(tags), deviceId, tenantId]);
    this.deps.onDeviceMoved?.(deviceId);
    await this.deps.audit.append({ type: 'fleet.device_placed', tenantId, actor, data: { deviceId, siteId, tags, previous: { siteId: device.siteId, tags: device.tags } } });
    return { ...device, siteId, tags };
  }

  async getDevice(tenantId: string, deviceId: string): Promise<FleetDevice | undefined> {
    const row = await this.deps.db.get<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM fleet_devices WHERE id = ? AND tenant_id = ?`, [deviceId, tenantId]);
    return row && toDevice(row);
  }

  async listDevices(tenantId: string, query: DeviceQuery = {}): Promise<FleetDevice[]> {
    const { where, params } = deviceQueryWhere(tenantId, query);
    const rows = await this.deps.db.all<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM fleet_devices WHERE ${where.join(' AND ')} ORDER BY registered_at, id`, params);
    return rows.map(toDevice).filter((d) => hasQueryTag(d.tags, query));
  }

  /** The active device's raw public key: what the message verifier checks signatures with. */
  async activePublicKey(deviceId: string): Promise<string | undefined> {
    const row = await this.deps.db.get<{ public_key: string }>('SELECT public_key FROM fleet_devices WHERE id = ? AND revoked_at IS NULL', [deviceId]);
    return row?.public_key;
  }

  private async activeDevice(tenantId: string, deviceId: string): Promise<FleetDevice> {
    const device = await this.getDevice(tenantId, deviceId);
    if (!device) throw new NotFound('no such device');
    if (device.revokedAt) throw new Forbidden('the device is revoked');
    return device;
  }
}

/**
 * The SQL conditions for a device query on `fleet_devices` (columns prefixed by `alias.` when given);
 * the tag is checked on the rows with `hasQueryTag`, tags being a JSON list in their column.
 */
export function deviceQueryWhere(tenantId: string, query: DeviceQuery, alias = ''): { where: string[]; params: string[] } {
  const column = (name: string) => (alias ? `${alias}.${name}` : name);
  const where = [`${column('tenant_id')} = ?`];
  const params: string[] = [tenantId];
  if (query.kind) {
    where.push(`${column('kind')} = ?`);
    params.push(query.kind);
  }
  if (query.siteId) {
    where.push(`${column('site_id')} = ?`);
    params.push(query.siteId);
  }
  return { where, params };
}

export function hasQueryTag(tags: readonly string[], query: DeviceQuery): boolean {
  return !query.tag || tags.includes(query.tag);
}

function checkSiteId(siteId: unknown): void {
  if (typeof siteId !== 'string' || !SITE_ID.test(siteId)) throw new InvalidArgument('siteId must be 1–64 of A–Z a–z 0–9 _ . -');
}

function checkedTags(tags: readonly string[]): string[] {
  const unique = [...new Set(tags)];
  if (unique.length > 20 || unique.some((t) => typeof t !== 'string' || !TAG.test(t))) throw new InvalidArgument('tags: at most 20, each 1–64 of A–Z a–z 0–9 _ . : -');
  return unique;
}

function safeEqualHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The claim's secret hash stays in the store. */
function toClaim(row: ClaimRow): Claim {
  return {
    ...camelRow(row, ['id', 'tenant_id', 'kind', 'site_id', 'expires_at', 'created_at', 'revoked_at']),
    tags: JSON.parse(row.tags) as string[],
    maxUses: Number(row.max_uses),
    uses: Number(row.uses),
  };
}

function toDevice(row: DeviceRow): FleetDevice {
  return {
    ...camelRow(row, ['id', 'tenant_id', 'kind', 'site_id', 'claim_id', 'registered_at', 'rotated_at', 'revoked_at']),
    tags: JSON.parse(row.tags) as string[],
  };
}
