import Database from 'better-sqlite3';
import { createReadStream, createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand, CliIo } from '../command.js';
import { readServiceConfig } from '../../config/service-config.js';
import { InvalidArgument, NotFound } from '../../errors/domain-errors.js';
import type { SqlDatabase } from '../../store/sql/sql-database.js';
import { SqliteDatabase } from '../../store/sql/sqlite-database.js';
import { PostgresDatabase } from '../../store/sql/postgres-database.js';
import { AuditLog } from '../../audit/audit-log.js';
import type { AuditHead } from '../../audit/audit-entry.js';
import { formatAuditLine, readAuditLines } from '../../audit/audit-jsonl.js';
import { verifyAuditChain, type AuditChainResult } from '../../audit/verify-chain.js';

export const auditCommand: CliCommand = {
  name: 'audit',
  summary:
    "export the audit trail as JSON Lines, or verify its hash chain offline from an export or from the service's database (FACEKEY_DATA_DIR, DATABASE_URL)",
  usage: 'facekey audit export [--out FILE] | facekey audit verify [--file FILE] [--head SEQ:HASH] [--json]',
  async run(argv, io) {
    const [subcommand, ...rest] = argv;
    if (subcommand === 'export') return exportAudit(rest, io);
    if (subcommand === 'verify') return verifyAudit(rest, io);
    throw new InvalidArgument(`unknown audit subcommand "${subcommand ?? ''}": use export or verify`);
  },
};

async function exportAudit(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } }, strict: true });
  const db = await openServiceDatabase();
  try {
    const log = new AuditLog(db);
    // Stopping at the head read first makes the export a consistent prefix while the service appends.
    const head = await readHead(log);
    const sink = values.out
      ? fileSink(values.out)
      : { write: async (line: string) => io.out(line), close: async () => undefined, abort: () => undefined };
    let count = 0;
    try {
      for await (const entry of log.iterate({ throughSeq: head.seq })) {
        await sink.write(formatAuditLine(entry));
        count++;
      }
    } catch (error) {
      sink.abort();
      throw error;
    }
    await sink.close();
    // stderr, since stdout may be the export itself; the head is what an auditor keeps to pass to --head later.
    io.err(`exported ${count} audit entries, head #${head.seq} ${head.hash}`);
    return 0;
  } finally {
    await db.close();
  }
}

async function verifyAudit(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { file: { type: 'string' }, head: { type: 'string' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  const expectedHead = values.head === undefined ? undefined : parseHead(values.head);
  let result: AuditChainResult;
  let where: 'line' | 'position';
  if (values.file !== undefined) {
    if (!existsSync(values.file)) throw new NotFound(`no export file at ${values.file}`);
    const input = createReadStream(values.file);
    try {
      result = await verifyAuditChain(readAuditLines(input), { expectedHead });
    } finally {
      input.destroy();
    }
    where = 'line';
  } else {
    const db = await openServiceDatabase();
    try {
      const log = new AuditLog(db);
      const head = await readHead(log);
      result = await verifyAuditChain(log.iterate({ throughSeq: head.seq }), { expectedHead: expectedHead ?? head });
    } finally {
      await db.close();
    }
    where = 'position';
  }
  io.out(values.json ? JSON.stringify(result) : describe(result, where));
  return result.ok ? 0 : 1;
}

function describe(result: AuditChainResult, where: 'line' | 'position'): string {
  if (result.ok) return `audit chain ok: ${result.count} entries, head #${result.head.seq} ${result.head.hash}`;
  const { seq, position } = result.firstBad;
  const at = seq === null ? `${where} ${position}` : `entry #${seq} (${where} ${position})`;
  return `audit chain broken at ${at}: ${result.problem} — ${result.message}`;
}

function parseHead(text: string): AuditHead {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(text);
  if (!match) throw new InvalidArgument('--head must be SEQ:HASH, as printed by `facekey audit export`');
  return { seq: Number(match[1]), hash: match[2]! };
}

/** The service's own database, chosen as `facekey serve` chooses it; SQLite is opened read-only. */
async function openServiceDatabase(): Promise<SqlDatabase> {
  const config = readServiceConfig();
  // The constructor, not open(): open() creates the schema, which an auditor's read-only role may not.
  if (config.databaseUrl) return new PostgresDatabase({ connectionString: config.databaseUrl, maxConnections: 2 });
  const file = path.join(config.dataDir, 'facekey.sqlite');
  if (!existsSync(file)) throw new NotFound(`no database at ${file} (set FACEKEY_DATA_DIR or DATABASE_URL)`);
  return new SqliteDatabase(new Database(file, { readonly: true, fileMustExist: true }), true);
}

/** The audit tables are the service's to create; an auditor's tool only reads. */
async function readHead(log: AuditLog): Promise<AuditHead> {
  try {
    return await log.head();
  } catch (error) {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    if (code === '42P01' || (typeof message === 'string' && message.includes('no such table'))) {
      throw new NotFound('this database has no audit log yet');
    }
    throw error;
  }
}

/** Writes beside the target and renames at the end, so a failed export never looks like a complete one. */
function fileSink(target: string): { write(line: string): Promise<void>; close(): Promise<void>; abort(): void } {
  const partial = `${target}.partial`;
  const stream = createWriteStream(partial);
  return {
    async write(line) {
      if (!stream.write(line + '\n')) await once(stream, 'drain');
    },
    async close() {
      stream.end();
      await finished(stream);
      renameSync(partial, target);
    },
    abort() {
      stream.destroy();
      rmSync(partial, { force: true });
    },
  };
}
