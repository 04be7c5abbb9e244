import { FacekeyError } from '../errors/domain-errors.js';
import type { CliCommand, CliIo } from './command.js';
import { detectCommand } from './commands/detect-command.js';
import { qualityCommand } from './commands/quality-command.js';
import { embedCommand } from './commands/embed-command.js';
import { compareCommand } from './commands/compare-command.js';
import { enginesCommand } from './commands/engines-command.js';
import { evalCommand } from './commands/eval-command.js';
import { demoCommand } from './commands/demo-command.js';
import { livenessCommand } from './commands/liveness-command.js';
import { serveCommand } from './commands/serve-command.js';
import { auditCommand } from './commands/audit-command.js';
import { networkSimCommand } from './commands/network-sim-command.js';
import { terminalCommand } from './commands/terminal-command.js';
import { fleetCommand } from './commands/fleet-command.js';

const COMMANDS: readonly CliCommand[] = [
  detectCommand,
  qualityCommand,
  embedCommand,
  compareCommand,
  livenessCommand,
  enginesCommand,
  evalCommand,
  demoCommand,
  serveCommand,
  auditCommand,
  networkSimCommand,
  terminalCommand,
  fleetCommand,
];

function usage(): string {
  return ['usage: facekey <command> [options]', '', ...COMMANDS.map((c) => `  ${c.usage}\n      ${c.summary}`)].join('\n');
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`facekey: unknown command "${name}"\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.help ?? `usage: ${command.usage}\n${command.summary}`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    io.err(`facekey ${name}: ${describeError(error)}`);
    return error instanceof FacekeyError || isUsageError(error) ? 2 : 1;
  }
}

function describeError(error: unknown): string {
  if (error instanceof FacekeyError) return `${error.code}: ${error.message}`;
  if (isUsageError(error)) return `invalid_argument: ${(error as Error).message}`;
  return error instanceof Error ? error.message : String(error);
}

/** node:util parseArgs reports unknown or malformed options with these codes. */
function isUsageError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code ?? '';
  return code.startsWith('ERR_PARSE_ARGS');
}
