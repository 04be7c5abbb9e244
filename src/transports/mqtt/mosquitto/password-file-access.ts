/**
 * Device access on a Mosquitto that facekey runs beside it, through the broker's own password file
 * and one ACL file of `%u` patterns (written once, by the operator or mosquitto-process.ts):
 *
 *   user facekey-service
 *   topic readwrite facekey/#
 *   pattern write facekey/devices/%u/up/#
 *   pattern read facekey/devices/%u/down/#
 *
 * so two rules serve every device, and a grant or revocation is one line of the password file
 * followed by a reload (SIGHUP). Mosquitto re-checks every connected client on reload and
 * disconnects the ones whose password no longer matches: that is what cuts a revoked device off at
 * once. Changes that arrive while one write-and-reload is under way go out together in the next,
 * so provisioning 20,000 devices costs a few dozen reloads, not 20,000 (the dynamic-security
 * plugin of Mosquitto 2.0 rewrites its whole configuration per command; docs/fleet.md).
 *
 * A reload is asynchronous, so every write also gives this node's probe account a new password;
 * a grant resolves only once the probe logs in with it, i.e. once the broker runs on the new file,
 * so a device that connects right after registering is never refused. Several facekey nodes may
 * share the file: each rewrites it under a lock from what is on disk, with its own probe account.
 */
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import type { DeviceBrokerAccess } from '../../../fleet/fleet-broker.js';
import { newDevicePassword } from '../../../fleet/device-credentials.js';
import { BrokerAccessFailed } from '../../../errors/domain-errors.js';

export interface PasswordFileAccessOptions {
  /** The broker's `password_file`. */
  readonly passwordFile: string;
  /** Makes the broker reload its files: SIGHUP to its process. */
  readonly reloadBroker: () => void;
  /** Where the probe account logs in to see the reload happened (facekey's own broker address). */
  readonly brokerUrl: string;
  /** Names this node's probe account; stable per node. */
  readonly nodeId: string;
  /** How long a reload may take to show before the change fails (default 15 s). */
  readonly reloadTimeoutMs?: number;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

const RESIGNAL_RELOAD_MS = 500;
/** Another facekey node holding the lock longer than this has died holding it. */
const STALE_LOCK_MS = 30_000;

/**
 * One password-file line in Mosquitto 2's PBKDF2-SHA512 form (`$7$iterations$salt$hash`). One
 * iteration on purpose: stretching protects guessable passwords, and device and service passwords
 * here are 256-bit random secrets; Mosquitto re-verifies every connected client's password on each
 * reload, so stretching would cost the broker fleet size × stretching time per reload.
 */
export function mosquittoPasswordLine(username: string, password: string, iterations = 1): string {
  if (!/^[^:\s]+$/.test(username)) throw new BrokerAccessFailed(`not a password-file username: ${JSON.stringify(username)}`);
  const salt = randomBytes(12);
  const hash = pbkdf2Sync(password, salt, iterations, 64, 'sha512');
  return `${username}:$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export class PasswordFileAccess implements DeviceBrokerAccess {
  /** username → its new line, or null to remove it; not yet written. */
  private readonly changes = new Map<string, string | null>();
  private waiters: Waiter[] = [];
  private writing = false;
  private readonly probeUsername: string;

  constructor(private readonly options: PasswordFileAccessOptions) {
    this.probeUsername = `facekey-reload-probe-${options.nodeId}`;
  }

  grant(deviceId: string, password: string): Promise<void> {
    this.changes.set(deviceId, mosquittoPasswordLine(deviceId, password));
    return this.whenWritten();
  }

  revoke(deviceId: string): Promise<void> {
    this.changes.set(deviceId, null);
    return this.whenWritten();
  }

  private whenWritten(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      void this.writeAndReload();
    });
  }

  private async writeAndReload(): Promise<void> {
    if (this.writing || this.changes.size === 0) return;
    this.writing = true;
    const changes = new Map(this.changes);
    this.changes.clear();
    const waiters = this.waiters;
    this.waiters = [];
    try {
      const probePassword = newDevicePassword();
      await this.rewrite(changes, mosquittoPasswordLine(this.probeUsername, probePassword));
      this.options.reloadBroker();
      await this.probeUntilReloaded(probePassword);
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    } finally {
      this.writing = false;
      void this.writeAndReload();
    }
  }

  /** Read-modify-write under the lock, replacing the file in one rename so the broker never reads half of it. */
  private async rewrite(changes: ReadonlyMap<string, string | null>, probeLine: string): Promise<void> {
    const file = this.options.passwordFile;
    await withLock(`${file}.lock`, async () => {
      const current = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return '';
        throw error;
      });
      const lines = new Map<string, string>();
      for (const line of current.split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) lines.set(line.slice(0, colon), line);
      }
      for (const [username, line] of changes) {
        if (line === null) lines.delete(username);
        else lines.set(username, line);
      }
      lines.set(this.probeUsername, probeLine);
      const mode = await stat(file).then(
        (s) => s.mode & 0o777,
        () => 0o600,
      );
      const next = `${file}.${process.pid}.new`;
      await writeFile(next, `${[...lines.values()].join('\n')}\n`, { mode });
      await rename(next, file);
    });
  }

  private async probeUntilReloaded(password: string): Promise<void> {
    const deadline = Date.now() + (this.options.reloadTimeoutMs ?? 15_000);
    // Mosquitto clears its reload flag after reloading, so a SIGHUP that lands during a reload is
    // lost (seen with a 20,000-line file): until the probe gets in, ask again now and then.
    let nextSignal = Date.now() + RESIGNAL_RELOAD_MS;
    for (;;) {
      if (Date.now() > nextSignal) {
        this.options.reloadBroker();
        nextSignal = Date.now() + RESIGNAL_RELOAD_MS;
      }
      try {
        const probe = await mqtt.connectAsync(
          this.options.brokerUrl,
          {
            clientId: this.probeUsername,
            username: this.probeUsername,
            password,
            clean: true,
            protocolVersion: 4,
            reconnectPeriod: 0,
            connectTimeout: 5_000,
          },
          // A connection closed before its CONNACK must fail the attempt: Mosquitto drops connections
          // still unauthenticated when it reloads, and mqtt.js would otherwise wait forever.
          false,
        );
        await probe.endAsync(true);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new BrokerAccessFailed(`the broker did not reload ${this.options.passwordFile}: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }
}

/** A directory as the lock: mkdir is atomic on every filesystem facekey and Mosquitto would share. */
async function withLock<T>(lockDir: string, work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await mkdir(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(lockDir).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > STALE_LOCK_MS) await rm(lockDir, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lockDir, { recursive: true, force: true });
  }
}
