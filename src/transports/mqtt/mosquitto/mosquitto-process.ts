/**
 * Starts a private Mosquitto 2 on a free loopback port with a fresh configuration in a temporary
 * directory: facekey's account and nothing else; anonymous clients are refused. Devices are
 * managed either through the dynamic-security plugin (facekey's account is its admin) or through a
 * password file facekey rewrites plus one ACL file of `%u` patterns (password-file-access.ts).
 * Used by the broker tests and by `facekey fleet simulate --broker mosquitto`; production brokers
 * are configured by their operator.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { MosquittoDeviceAccess } from './external-broker.js';
import { mosquittoPasswordLine } from './password-file-access.js';

export const MOSQUITTO_BINARY = process.env.MOSQUITTO_BINARY ?? '/usr/sbin/mosquitto';
export const DYNSEC_PLUGIN = process.env.MOSQUITTO_DYNSEC_PLUGIN ?? '/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so';

export interface MosquittoProcess {
  /** mqtt://facekey-service:…@127.0.0.1:port, facekey's own account. */
  readonly serviceUrl: string;
  /** Without credentials, for devices. */
  readonly deviceUrl: string;
  /** How facekey grants and revokes devices on this broker (pass it to connectExternalBroker). */
  readonly deviceAccess: MosquittoDeviceAccess;
  readonly pid: number;
  stop(): Promise<void>;
}

export type MosquittoDeviceAccessKind = MosquittoDeviceAccess['kind'];

export interface MosquittoOptions {
  /** Dynamic security (default) or a password file with `%u` pattern ACLs. */
  readonly deviceAccess?: MosquittoDeviceAccessKind;
  /** Unacknowledged QoS 1 messages in flight per client: facekey's ingest pipeline depth (default 100). */
  readonly maxInflightMessages?: number;
}

export function mosquittoAvailable(): boolean {
  return existsSync(MOSQUITTO_BINARY) && existsSync(DYNSEC_PLUGIN);
}

/** The plugin's stored password form: PBKDF2-SHA512, 64 bytes, over the decoded salt. */
function dynsecPassword(password: string): { password: string; salt: string; iterations: number } {
  const salt = randomBytes(12);
  const iterations = 101;
  return { password: pbkdf2Sync(password, salt, iterations, 64, 'sha512').toString('base64'), salt: salt.toString('base64'), iterations };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no free port');
  return address.port;
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited (${child.exitCode}): ${stderr()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`mosquitto did not listen on ${port}: ${stderr()}`);
}

/** The dynamic-security plugin's file: facekey's account as its admin, plus `facekey/#` (shared subscriptions included). */
function dynamicSecurityFile(servicePassword: string): unknown {
  return {
    clients: [{ username: 'facekey-service', textName: 'facekey', ...dynsecPassword(servicePassword), roles: [{ rolename: 'facekey-service' }] }],
    roles: [
      {
        rolename: 'facekey-service',
        acls: [
          { acltype: 'publishClientSend', topic: '$CONTROL/dynamic-security/#', allow: true },
          { acltype: 'publishClientReceive', topic: '$CONTROL/dynamic-security/#', allow: true },
          { acltype: 'subscribePattern', topic: '$CONTROL/dynamic-security/#', allow: true },
          { acltype: 'publishClientSend', topic: 'facekey/#', allow: true },
          { acltype: 'publishClientReceive', topic: 'facekey/#', allow: true },
          { acltype: 'subscribePattern', topic: 'facekey/#', allow: true },
          // The plugin checks a shared subscription's filter with its `$share/<group>/` prefix.
          { acltype: 'subscribePattern', topic: '$share/+/facekey/#', allow: true },
          { acltype: 'unsubscribePattern', topic: '#', allow: true },
        ],
      },
    ],
    defaultACLAccess: { publishClientSend: false, publishClientReceive: false, subscribe: false, unsubscribe: true },
  };
}

/** Two pattern rules serve every device; facekey's own account reads and writes the whole tree. */
export const DEVICE_PATTERN_ACL = [
  'user facekey-service',
  'topic readwrite facekey/#',
  '',
  'pattern write facekey/devices/%u/up/#',
  'pattern read facekey/devices/%u/down/#',
].join('\n');

export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoProcess> {
  const accessKind = options.deviceAccess ?? 'dynamic-security';
  const dir = mkdtempSync(path.join(tmpdir(), 'facekey-mosquitto-'));
  const port = await freePort();
  const servicePassword = randomBytes(24).toString('base64url');
  const passwordFile = path.join(dir, 'passwords');
  let accessConfig: string[];
  if (accessKind === 'dynamic-security') {
    writeFileSync(path.join(dir, 'dynamic-security.json'), JSON.stringify(dynamicSecurityFile(servicePassword), null, 2), { mode: 0o600 });
    accessConfig = [`plugin ${DYNSEC_PLUGIN}`, `plugin_opt_config_file ${path.join(dir, 'dynamic-security.json')}`];
  } else {
    writeFileSync(passwordFile, `${mosquittoPasswordLine('facekey-service', servicePassword)}\n`, { mode: 0o600 });
    writeFileSync(path.join(dir, 'acl'), `${DEVICE_PATTERN_ACL}\n`, { mode: 0o600 });
    accessConfig = [`password_file ${passwordFile}`, `acl_file ${path.join(dir, 'acl')}`];
  }
  const config = [
    'per_listener_settings false',
    `listener ${port} 127.0.0.1`,
    'allow_anonymous false',
    'persistence false',
    // As root, Mosquitto would switch to the mosquitto user and lose access to this private directory.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    ...accessConfig,
    'max_queued_messages 100000',
    `max_inflight_messages ${options.maxInflightMessages ?? 100}`,
    'log_dest stderr',
    'log_type error',
    'log_type warning',
  ].join('\n');
  writeFileSync(path.join(dir, 'mosquitto.conf'), `${config}\n`, { mode: 0o600 });
  const child = spawn(MOSQUITTO_BINARY, ['-c', path.join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  try {
    await waitForPort(port, child, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    serviceUrl: `mqtt://facekey-service:${servicePassword}@127.0.0.1:${port}`,
    deviceUrl: `mqtt://127.0.0.1:${port}`,
    deviceAccess:
      accessKind === 'dynamic-security'
        ? { kind: 'dynamic-security' }
        : {
            kind: 'password-file',
            passwordFile,
            reloadBroker: () => {
              if (child.exitCode === null) child.kill('SIGHUP');
            },
          },
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
