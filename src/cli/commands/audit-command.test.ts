import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliIo } from '../command.js';
import { AuditLog } from '../../audit/audit-log.js';
import { SqliteDatabase } from '../../store/sql/sqlite-database.js';

import { runCli } from '../run-cli.js';

interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

async function facekey(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line) };
  const code = await runCli(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('facekey audit', () => {
  const saved = { dataDir: process.env.FACEKEY_DATA_DIR, databaseUrl: process.env.DATABASE_URL };
  const dir = mkdtempSync(path.join(tmpdir(), 'facekey-audit-cli-'));
  const exported = path.join(dir, 'audit.jsonl');
  let lines: string[];

  /** A copy of the export with its lines rearranged; returns its path. */
  function variant(name: string, edit: (lines: string[]) => string[]): string {
    const file = path.join(dir, `${name}.jsonl`);
    writeFileSync(file, edit([...lines]).join('\n') + '\n');
    return file;
  }

  before(async () => {
    // The service's embedded database, as `facekey serve` leaves it in FACEKEY_DATA_DIR.
    const db = new SqliteDatabase(new Database(path.join(dir, 'facekey.sqlite')), true);
    const log = new AuditLog(db);
    await log.migrate();
    for (let i = 1; i <= 5; i++) {
      await log.append({ type: 'verification', tenantId: 't1', actor: 'key:k1', data: { subjectId: `s${i}`, score: 0.7 + i / 100 } });
    }
    await db.close();
    process.env.FACEKEY_DATA_DIR = dir;
    delete process.env.DATABASE_URL;

    const result = await facekey('audit', 'export', '--out', exported);
    assert.equal(result.code, 0, result.err);
    assert.match(result.err, /^exported 5 audit entries, head #5 [0-9a-f]{64}$/);
    lines = readFileSync(exported, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 5);
  });

  after(() => {
    if (saved.dataDir === undefined) delete process.env.FACEKEY_DATA_DIR;
    else process.env.FACEKEY_DATA_DIR = saved.dataDir;
    if (saved.databaseUrl !== undefined) process.env.DATABASE_URL = saved.databaseUrl;
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports to stdout by default, the same lines as to a file', async () => {
    const result = await facekey('audit', 'export');
    assert.equal(result.code, 0, result.err);
    assert.deepEqual(result.out.split('\n'), lines);
  });

  it('verifies an intact export offline, and the database itself, with exit 0', async () => {
    const head = (JSON.parse(lines[4]!) as { hash: string }).hash;
    const fromFile = await facekey('audit', 'verify', '--file', exported);
    assert.equal(fromFile.code, 0, fromFile.err);
    assert.equal(fromFile.out, `audit chain ok: 5 entries, head #5 ${head}`);
    const fromDatabase = await facekey('audit', 'verify');
    assert.equal(fromDatabase.code, 0, fromDatabase.err);
    assert.equal(fromDatabase.out, fromFile.out);
  });

  it('names an entry whose data was edited, with exit 1', async () => {
    const file = variant('edited', (l) => {
      const entry = JSON.parse(l[2]!) as { data: { score: number } };
      entry.data.score = 0.99;
      l[2] = JSON.stringify(entry);
      return l;
    });
    const result = await facekey('audit', 'verify', '--file', file);
    assert.equal(result.code, 1);
    assert.equal(result.out, 'audit chain broken at entry #3 (line 3): altered — #3 does not match its hash: its content was changed');
  });

  it('names a deleted entry', async () => {
    const result = await facekey(
      'audit',
      'verify',
      '--file',
      variant('deleted', (l) => [...l.slice(0, 3), ...l.slice(4)]),
    );
    assert.equal(result.code, 1);
    assert.equal(result.out, 'audit chain broken at entry #4 (line 4): removed — #4 is missing: #5 follows #3');
  });

  it('names the first of two swapped entries, as JSON with --json', async () => {
    const file = variant('swapped', (l) => [l[0]!, l[2]!, l[1]!, l[3]!, l[4]!]);
    const result = await facekey('audit', 'verify', '--file', file, '--json');
    assert.equal(result.code, 1);
    const parsed = JSON.parse(result.out) as { ok: boolean; problem: string; firstBad: { seq: number; position: number } };
    assert.deepEqual(
      { ok: parsed.ok, problem: parsed.problem, firstBad: parsed.firstBad },
      {
        ok: false,
        problem: 'reordered',
        firstBad: { seq: 3, position: 2 },
      },
    );
  });

  it('catches a cut-off tail against the head printed at export, and an unparsable line', async () => {
    const head = JSON.parse(lines[4]!) as { seq: number; hash: string };
    const truncated = await facekey(
      'audit',
      'verify',
      '--file',
      variant('truncated', (l) => l.slice(0, 3)),
      '--head',
      `${head.seq}:${head.hash}`,
    );
    assert.equal(truncated.code, 1);
    assert.match(truncated.out, /^audit chain broken at entry #4 \(line 4\): truncated — /);
    const garbled = await facekey(
      'audit',
      'verify',
      '--file',
      variant('garbled', (l) => [l[0]!, '{"seq": 2,', ...l.slice(2)]),
    );
    assert.equal(garbled.code, 1);
    assert.equal(garbled.out, 'audit chain broken at line 2: malformed — not JSON');
  });

  it('refuses a bad --head or a missing file as usage errors (exit 2)', async () => {
    assert.equal((await facekey('audit', 'verify', '--file', exported, '--head', 'five')).code, 2);
    assert.equal((await facekey('audit', 'verify', '--file', path.join(dir, 'nope.jsonl'))).code, 2);
    assert.equal((await facekey('audit', 'rewrite')).code, 2);
  });
});
