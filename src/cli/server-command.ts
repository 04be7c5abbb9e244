import type { CliCommand } from './command.js';
import { closeOnStopSignal } from './close-on-stop-signal.js';

export interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

export interface ServerCommandSpec {
  readonly name: string;
  readonly summary: string;
  /** Starts the server from the environment (the command takes no arguments). */
  start(): Promise<RunningServer>;
  /** The line for stderr once it listens. */
  listening(url: string): string;
}

/** A command that runs a server (`serve`, `network-sim`): start it, say where it listens, close it on SIGINT or SIGTERM. */
export function serverCommand(spec: ServerCommandSpec): CliCommand {
  return {
    name: spec.name,
    summary: spec.summary,
    usage: `facekey ${spec.name}`,
    async run(_argv, io) {
      const server = await spec.start();
      io.err(spec.listening(server.url));
      await closeOnStopSignal(() => server.close());
      return 0;
    },
  };
}
