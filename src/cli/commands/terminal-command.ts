/**
 * `facekey terminal keygen | register | checkout`: a terminal tried from the shell, built on the
 * facekey/terminal SDK exactly as a terminal maker's code would use it.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { CliCommand, CliIo } from '../command.js';
import {
  FacekeyClientError,
  TerminalClient,
  exportTerminalPrivateKey,
  generateTerminalKeyPair,
  importTerminalPrivateKey,
  registerTerminal,
  terminalPublicJwk,
  type CheckoutProbe,
  type CheckoutRequest,
  type CheckoutResponse,
  type PrivateKeyFormat,
  type TerminalKind,
} from '../../terminal/index.js';

const DEFAULT_URL = 'http://127.0.0.1:8080';
const KINDS: readonly TerminalKind[] = ['checkout', 'enrollment_kiosk', 'temperature_scanner'];

const HELP = [
  'usage: facekey terminal keygen | register | checkout [options]',
  '',
  '  facekey terminal keygen --out FILE [--format pem|jwk] [--force]',
  '      writes an Ed25519 private key (mode 0600) and prints its public JWK',
  '  facekey terminal register --key FILE [--label TEXT] [--kind checkout|enrollment_kiosk|temperature_scanner] [--url URL] [--json]',
  '      registers the key as a terminal (POST /v1/terminals) with an admin API key taken from',
  '      FACEKEY_API_KEY or --api-key-file FILE (never printed); prints the terminal id',
  '  facekey terminal checkout --key FILE --terminal-id ID --amount MINOR_UNITS --currency EUR --merchant-ref REF',
  '        (--image FILE | --frame FILE --frame FILE --frame FILE… | --template FILE) [--subject-id ID]',
  '        [--pin DIGITS | --phone-last4 DIGITS] [--url URL] [--json]',
  '      signs and sends POST /v1/checkout and prints the decision with its evidence',
  '',
  'URL defaults to FACEKEY_URL or ' + DEFAULT_URL + '; FACEKEY_TERMINAL_ID may stand in for --terminal-id',
].join('\n');

/** A mistake on the command line: reported as `facekey terminal: invalid_argument: …`. */
class TerminalUsageError extends Error {}

export const terminalCommand: CliCommand = {
  name: 'terminal',
  summary: 'try a checkout terminal from the shell: make its key, register it, pay with a photo, burst or template',
  usage: 'facekey terminal keygen | register | checkout [options]   (facekey terminal --help for each)',
  help: HELP,
  async run(argv, io) {
    const [subcommand, ...rest] = argv;
    try {
      if (subcommand === 'keygen') return keygen(rest, io);
      if (subcommand === 'register') return await register(rest, io);
      if (subcommand === 'checkout') return await checkout(rest, io);
      throw new TerminalUsageError(`unknown terminal subcommand "${subcommand ?? ''}": use keygen, register or checkout`);
    } catch (error) {
      if (error instanceof FacekeyClientError) {
        io.err(`facekey terminal: ${error.code}: ${error.message}`);
        return 1;
      }
      if (error instanceof TerminalUsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
        io.err(`facekey terminal: invalid_argument: ${(error as Error).message}`);
        return 2;
      }
      throw error;
    }
  },
};

function keygen(args: string[], io: CliIo): number {
  const { values } = parseArgs({
    args,
    options: { out: { type: 'string' }, format: { type: 'string', default: 'pem' }, force: { type: 'boolean', default: false } },
    strict: true,
  });
  const out = required(values.out, '--out');
  const format = ({ pem: 'pkcs8-pem', jwk: 'jwk' } as const)[values.format as 'pem' | 'jwk'] as PrivateKeyFormat | undefined;
  if (!format) throw new TerminalUsageError(`--format must be pem or jwk, not "${values.format}"`);
  const { privateKey, publicJwk } = generateTerminalKeyPair();
  try {
    // 'wx' refuses to replace an existing key by accident: a lost private key means re-registering the terminal.
    fs.writeFileSync(out, exportTerminalPrivateKey(privateKey, format) + '\n', { mode: 0o600, flag: values.force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new TerminalUsageError(`${out} exists; pass --force to replace it`);
    throw error;
  }
  // An existing file keeps its mode on overwrite, so set it explicitly.
  fs.chmodSync(out, 0o600);
  io.out(JSON.stringify(publicJwk));
  return 0;
}

async function register(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      key: { type: 'string' },
      label: { type: 'string', default: 'facekey terminal CLI' },
      kind: { type: 'string', default: 'checkout' },
      url: { type: 'string' },
      'api-key-file': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const kind = values.kind as TerminalKind;
  if (!KINDS.includes(kind)) throw new TerminalUsageError(`--kind must be one of ${KINDS.join(', ')}`);
  const apiKey = values['api-key-file'] !== undefined ? readText(values['api-key-file'], '--api-key-file') : process.env.FACEKEY_API_KEY;
  if (!apiKey) throw new TerminalUsageError('an admin API key is needed: set FACEKEY_API_KEY or pass --api-key-file FILE');
  const privateKey = importTerminalPrivateKey(readText(required(values.key, '--key'), '--key'));
  const terminal = await registerTerminal(
    { baseUrl: baseUrl(values.url), apiKey },
    { label: values.label, kind, publicKey: terminalPublicJwk(privateKey) },
  );
  if (values.json) io.out(JSON.stringify(terminal));
  else io.out(`registered terminal ${terminal.id} (${terminal.kind}, "${terminal.label}")`);
  return 0;
}

async function checkout(args: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      key: { type: 'string' },
      'terminal-id': { type: 'string' },
      amount: { type: 'string' },
      currency: { type: 'string' },
      'merchant-ref': { type: 'string' },
      image: { type: 'string' },
      frame: { type: 'string', multiple: true },
      template: { type: 'string' },
      'subject-id': { type: 'string' },
      pin: { type: 'string' },
      'phone-last4': { type: 'string' },
      url: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const terminalId = values['terminal-id'] ?? process.env.FACEKEY_TERMINAL_ID;
  if (!terminalId) throw new TerminalUsageError('--terminal-id (or FACEKEY_TERMINAL_ID) is required');
  const amount = Number(required(values.amount, '--amount'));
  if (!Number.isSafeInteger(amount) || amount < 1)
    throw new TerminalUsageError(`--amount is in minor units (cents), a whole number ≥ 1; got "${values.amount}"`);
  const privateKey = importTerminalPrivateKey(readText(required(values.key, '--key'), '--key'));
  if (values.pin !== undefined && values['phone-last4'] !== undefined)
    throw new TerminalUsageError('give --pin or --phone-last4, not both');
  const secondFactor =
    values.pin !== undefined
      ? { kind: 'pin' as const, value: values.pin }
      : values['phone-last4'] !== undefined
        ? { kind: 'phone_last4' as const, value: values['phone-last4'] }
        : undefined;
  const request: CheckoutRequest = {
    amount,
    currency: required(values.currency, '--currency'),
    merchantRef: required(values['merchant-ref'], '--merchant-ref'),
    ...(values['subject-id'] !== undefined ? { subjectId: values['subject-id'] } : {}),
    ...(secondFactor ? { secondFactor } : {}),
    ...probeOf(values.image, values.frame, values.template),
  };
  const client = new TerminalClient({ baseUrl: baseUrl(values.url), terminalId, privateKey });
  const result = await client.checkout(request);
  io.out(values.json ? JSON.stringify(result) : describeDecision(result));
  // Like `facekey compare`: a decline is an answer, not a failure of the command.
  return 0;
}

function probeOf(image: string | undefined, frames: string[] | undefined, template: string | undefined): CheckoutProbe {
  const given = [image, frames, template].filter((x) => x !== undefined).length;
  if (given !== 1) throw new TerminalUsageError('give exactly one of --image FILE, --frame FILE (3–15 times) or --template FILE');
  if (image !== undefined) return { image: readBytes(image, '--image') };
  if (frames !== undefined) return { frames: frames.map((frame) => readBytes(frame, '--frame')) };
  // A template file holds the base64 that `facekey embed` prints, or the raw binary template.
  const bytes = readBytes(template!, '--template');
  const text = Buffer.from(bytes).toString('utf8').trim();
  return { template: /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? new Uint8Array(Buffer.from(text, 'base64')) : bytes };
}

export function describeDecision(result: CheckoutResponse): string {
  const parts = [result.outcome + (result.reasons.length > 0 ? ` (${result.reasons.join(', ')})` : '')];
  const evidence = result.evidence;
  if (evidence) {
    // An open-set search that found nobody above the threshold has no score to show.
    const score =
      evidence.score === null ? 'nobody above' : `score ${evidence.score.toFixed(4)} ${evidence.score >= evidence.threshold ? '≥' : '<'}`;
    parts.push(
      `${score} threshold ${evidence.threshold.toFixed(4)} at target FMR ${evidence.targetFmr.toExponential()} (${evidence.engine.id} ${evidence.engine.version})`,
      `liveness ${evidence.liveness.method} ${evidence.liveness.passed ? 'passed' : 'failed'}`,
    );
  }
  if (result.assertion) parts.push(`assertion ${result.assertion.jti} until ${result.assertion.expiresAt}`);
  return parts.join('; ');
}

function baseUrl(flag: string | undefined): string {
  return flag ?? process.env.FACEKEY_URL ?? DEFAULT_URL;
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new TerminalUsageError(`${flag} is required`);
  return value;
}

function readBytes(file: string, flag: string): Uint8Array {
  try {
    return new Uint8Array(fs.readFileSync(file));
  } catch (error) {
    throw new TerminalUsageError(`${flag}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function readText(file: string, flag: string): string {
  return Buffer.from(readBytes(file, flag)).toString('utf8').trim();
}
