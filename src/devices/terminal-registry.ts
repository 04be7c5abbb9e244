/**
 * The tenant's registered devices and their public keys. A terminal belongs to exactly one tenant;
 * tenant-scoped calls treat another tenant's terminal exactly like a missing one, so a terminal id
 * never confirms that another merchant exists. Revocation is permanent and keeps the row, so a
 * revoked terminal's requests are told apart from an unknown device's.
 */
import { randomUUID } from 'node:crypto';
import { Conflict, InvalidArgument } from '../errors/domain-errors.js';
import type { SqlDatabase } from '../store/sql/sql-database.js';
import { ed25519PublicJwk, ed25519PublicKeyFromJwk, type Ed25519PublicJwk } from './ed25519-public-key.js';
import type { AuditSink } from '../audit/audit-sink.js';
import { camelRow } from '../store/sql/camel-row.js';

export const TERMINAL_KINDS = ['checkout', 'enrollment_kiosk', 'temperature_scanner'] as const;
export type TerminalKind = (typeof TERMINAL_KINDS)[number];

export interface Terminal {
  readonly id: string;
  readonly tenantId: string;
  readonly label: string;
  readonly kind: TerminalKind;
  readonly publicKeyJwk: Ed25519PublicJwk;
  readonly createdAt: string;
  readonly revokedAt: string | null;
  /** Its last verified request, to the minute; null before the first. */
  readonly lastSeenAt: string | null;
}

export interface NewTerminal {
  readonly label: string;
  readonly kind: TerminalKind;
  /** An Ed25519 public JWK: `{ kty: 'OKP', crv: 'Ed25519', x }`. */
  readonly publicKey: unknown;
}

/** What the request verifier needs from the registry. */
export interface TerminalLookup {
  get(id: string): Promise<Terminal | undefined>;
  /** Told of every request the terminal signed that verified (optional: a lookup may not keep it). */
  seen?(id: string): Promise<void>;
}

/** Last contact is kept to the minute, so a busy till costs one write a minute, not one per payment. */
const SEEN_RESOLUTION_MS = 60_000;

interface TerminalRow {
  id: string;
  tenant_id: string;
  label: string;
  kind: TerminalKind;
  public_key: string;
  created_at: string;
  revoked_at: string | null;
  last_seen_at: string | null;
}

const COLUMNS = 'id, tenant_id, label, kind, public_key, created_at, revoked_at, last_seen_at';
export const MAX_LABEL_LENGTH = 200;

export class TerminalRegistry implements TerminalLookup {
  /** When this process last wrote each terminal's last contact (ms since the epoch). */
  private readonly seenWritten = new Map<string, number>();

  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: () => Date = () => new Date(),
    private readonly audit?: AuditSink,
  ) {}

  /** `actor` names who registered it in the audit trail. */
  async register(tenantId: string, input: NewTerminal, actor = 'unattributed'): Promise<Terminal> {
    const { label, kind } = input;
    if (typeof label !== 'string' || label.trim().length === 0 || label.length > MAX_LABEL_LENGTH)
      throw new InvalidArgument(`label must be 1 to ${MAX_LABEL_LENGTH} characters`);
    if (!TERMINAL_KINDS.includes(kind)) throw new InvalidArgument(`kind must be one of ${TERMINAL_KINDS.join(', ')}`);
    const publicKey = ed25519PublicKeyFromJwk(input.publicKey);
    // The unique index is the guarantee under concurrency; this check gives the clear answer.
    if (await this.db.get(`SELECT id FROM terminals WHERE public_key = ?`, [publicKey])) {
      throw new Conflict('this public key is already registered to a terminal; generate a new key pair for each terminal');
    }
    const row: TerminalRow = {
      id: randomUUID(),
      tenant_id: tenantId,
      label,
      kind,
      public_key: publicKey,
      created_at: this.clock().toISOString(),
      revoked_at: null,
      last_seen_at: null,
    };
    await this.db.run(`INSERT INTO terminals (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [
      row.id,
      row.tenant_id,
      row.label,
      row.kind,
      row.public_key,
      row.created_at,
      row.revoked_at,
      row.last_seen_at,
    ]);
    await this.audit?.append({ type: 'terminal.registered', tenantId, actor, data: { terminalId: row.id, kind, label } });
    return toTerminal(row);
  }

  /** Any tenant's terminal: the verifier learns the tenant from the terminal, not the other way round. */
  async get(id: string): Promise<Terminal | undefined> {
    const row = await this.db.get<TerminalRow>(`SELECT ${COLUMNS} FROM terminals WHERE id = ?`, [id]);
    return row && toTerminal(row);
  }

  async seen(id: string): Promise<void> {
    const now = this.clock();
    const written = this.seenWritten.get(id);
    if (written !== undefined && now.getTime() - written < SEEN_RESOLUTION_MS) return;
    this.seenWritten.set(id, now.getTime());
    await this.db.run('UPDATE terminals SET last_seen_at = ? WHERE id = ?', [now.toISOString(), id]);
  }

  /** Revoked terminals included, oldest first. */
  async list(tenantId: string): Promise<Terminal[]> {
    const rows = await this.db.all<TerminalRow>(`SELECT ${COLUMNS} FROM terminals WHERE tenant_id = ? ORDER BY created_at, id`, [tenantId]);
    return rows.map(toTerminal);
  }

  /** Idempotent, keeping the first revocation time; undefined when the tenant has no such terminal. */
  async revoke(tenantId: string, id: string, actor = 'unattributed'): Promise<Terminal | undefined> {
    const changed = await this.db.run('UPDATE terminals SET revoked_at = ? WHERE id = ? AND tenant_id = ? AND revoked_at IS NULL', [
      this.clock().toISOString(),
      id,
      tenantId,
    ]);
    if (changed > 0) await this.audit?.append({ type: 'terminal.revoked', tenantId, actor, data: { terminalId: id } });
    const row = await this.db.get<TerminalRow>(`SELECT ${COLUMNS} FROM terminals WHERE id = ? AND tenant_id = ?`, [id, tenantId]);
    return row && toTerminal(row);
  }
}

function toTerminal(row: TerminalRow): Terminal {
  return {
    ...camelRow(row, ['id', 'tenant_id', 'label', 'kind', 'created_at', 'revoked_at', 'last_seen_at']),
    publicKeyJwk: ed25519PublicJwk(row.public_key),
  };
}
