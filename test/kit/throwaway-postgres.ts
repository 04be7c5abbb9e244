/**
 * A PostgreSQL cluster of the test's own, in a temp dir on a free port, that the test may stop and
 * start at will: the machine's shared server on 5432 serves every other suite and must never be
 * restarted. PostgreSQL refuses to run as root, so initdb and pg_ctl run as the `postgres` user
 * (`runuser`) when the test runs as root.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './child-service.js';

const run = promisify(execFile);

export const POSTGRES_BIN = process.env.FACEKEY_TEST_PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface ThrowawayPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  readonly url: string;
  readonly port: number;
  start(): Promise<void>;
  /** A fast shutdown: sessions are terminated, as in a restart by an operator. */
  stop(): Promise<void>;
  /** Stops the cluster if it runs and deletes its files. */
  destroy(): Promise<void>;
}

/** Why no throwaway cluster can be created here, or false when it can. */
export function throwawayPostgresMissingReason(): string | false {
  if (!fs.existsSync(path.join(POSTGRES_BIN, 'initdb'))) return `no initdb in ${POSTGRES_BIN} (set FACEKEY_TEST_PG_BIN)`;
  if (process.getuid?.() === 0 && !fs.existsSync('/usr/sbin/runuser')) return 'running as root without runuser to drop to the postgres user';
  return false;
}

export async function createThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'facekey-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    fs.chownSync(root, Number(stdout.trim()), Number(gid.trim()));
  }
  const tool = (name: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(POSTGRES_BIN, name), ...args]) : run(path.join(POSTGRES_BIN, name), args));
  const data = path.join(root, 'data');
  await tool('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '--no-instructions']);
  const port = await freePort();
  // The socket goes to the cluster's own dir, never /var/run/postgresql where the shared server lives.
  const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`;
  let running = false;
  const cluster: ThrowawayPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      await tool('pg_ctl', ['-D', data, '-o', options, '-l', path.join(root, 'server.log'), '-w', '-t', '30', 'start']);
      running = true;
    },
    async stop() {
      await tool('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '30', 'stop']);
      running = false;
    },
    async destroy() {
      try {
        if (running) await cluster.stop();
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    },
  };
  try {
    await cluster.start();
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
  return cluster;
}
