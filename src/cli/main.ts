#!/usr/bin/env node
/** The `facekey` bin: runs one command with the process's arguments. runCli lives apart so tests import it without running it. */
import type { CliIo } from './command.js';
import { runCli } from './run-cli.js';

const io: CliIo = { out: (line) => process.stdout.write(line + '\n'), err: (line) => process.stderr.write(line + '\n') };
process.exitCode = await runCli(process.argv.slice(2), io);
