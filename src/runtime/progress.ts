import cliProgress from 'cli-progress';

export interface Progress {
  increment(): void;
  stop(): void;
}

/**
 * A progress bar on stderr for long runs. When stderr is not a terminal (CI logs), it prints a
 * plain line every 10% instead of redrawing.
 */
export function startProgress(label: string, total: number): Progress {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% {value}/{total} eta {eta_formatted}`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return { increment: () => bar.increment(), stop: () => bar.stop() };
  }
  let done = 0;
  let nextReport = 0.1;
  const started = Date.now();
  return {
    increment: () => {
      done++;
      if (total > 0 && done / total >= nextReport) {
        const seconds = ((Date.now() - started) / 1000).toFixed(0);
        process.stderr.write(`${label}: ${done}/${total} (${Math.round((100 * done) / total)}%, ${seconds}s)\n`);
        nextReport += 0.1;
      }
    },
    stop: () => {},
  };
}
