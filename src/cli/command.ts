export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** One `facekey <name>` subcommand. `run` returns the process exit status. */
export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(argv: string[], io: CliIo): Promise<number>;
}
