export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** One `facekey <name>` subcommand. `run` returns the process exit status. */
export interface CliCommand {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  /** What `facekey <name> --help` prints when one usage line is not enough (subcommands, environment). */
  readonly help?: string;
  run(argv: string[], io: CliIo): Promise<number>;
}
