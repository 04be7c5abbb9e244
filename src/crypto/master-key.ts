/**
 * The master key wraps every subject's data key, so losing it loses every template and leaking it
 * undoes the encryption at rest. It comes from configuration (hex) or from a key file that only the
 * service's user can read; on first start, with neither, one is generated into the key file.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { KeyMaterialRejected } from './crypto-errors.js';
import { ENVELOPE_KEY_BYTES } from './envelope.js';

export interface MasterKeySource {
  /** 64 hex characters from configuration; takes precedence over the key file. */
  keyHex?: string;
  keyFile: string;
}

const HEX_KEY = new RegExp(`^[0-9a-fA-F]{${ENVELOPE_KEY_BYTES * 2}}$`);
const GROUP_OR_OTHER_BITS = 0o077;

export function loadOrCreateMasterKey({ keyHex, keyFile }: MasterKeySource): Buffer {
  if (keyHex !== undefined && keyHex !== '') return parseHexKey(keyHex, 'configured master key');
  return readKeyFile(keyFile) ?? createKeyFile(keyFile);
}

function readKeyFile(keyFile: string): Buffer | undefined {
  let mode: number;
  try {
    const stat = statSync(keyFile);
    if (!stat.isFile()) throw new KeyMaterialRejected('master key path is not a regular file', { keyFile });
    mode = stat.mode;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
  // POSIX permission bits mean nothing on Windows; everywhere else a readable-by-others key file is a leak.
  if (process.platform !== 'win32' && (mode & GROUP_OR_OTHER_BITS) !== 0) {
    throw new KeyMaterialRejected('master key file must not be accessible by group or others (chmod 600)', {
      keyFile,
      mode: (mode & 0o777).toString(8),
    });
  }
  return parseHexKey(readFileSync(keyFile, 'utf8').trim(), 'master key file');
}

function createKeyFile(keyFile: string): Buffer {
  const directory = dirname(keyFile);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const key = randomBytes(ENVELOPE_KEY_BYTES);
  let fd: number;
  try {
    // 'wx' never overwrites: replacing a key file would orphan every data key wrapped by the old key.
    fd = openSync(keyFile, 'wx', 0o600);
  } catch (error) {
    // Another process started at the same moment and won the race: use its key.
    if (isErrno(error, 'EEXIST')) return readKeyFile(keyFile) ?? rejectVanished(keyFile);
    throw error;
  }
  try {
    writeFileSync(fd, key.toString('hex') + '\n');
    // Data wrapped by this key may be committed right after; the key must not be lost in a crash.
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  fsyncDirectory(directory);
  return key;
}

function parseHexKey(hex: string, what: string): Buffer {
  // The message never echoes the value: it is (or is close to) a secret.
  if (!HEX_KEY.test(hex))
    throw new KeyMaterialRejected(`${what} must be ${ENVELOPE_KEY_BYTES * 2} hex characters (${ENVELOPE_KEY_BYTES} bytes)`);
  return Buffer.from(hex, 'hex');
}

/** Makes the new directory entry durable, so the key file itself survives a crash. Best effort off Linux. */
function fsyncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the file's own fsync is the best available there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function rejectVanished(keyFile: string): never {
  throw new KeyMaterialRejected('master key file disappeared while being created', { keyFile });
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
