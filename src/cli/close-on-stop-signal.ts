/**
 * Keeps a long-running command (`serve`, `network-sim`) alive until SIGINT or SIGTERM, then closes
 * what it started and resolves once that is closed. The handlers are removed on the first signal,
 * so a second Ctrl-C falls back to Node's default and ends the process at once.
 */
export function closeOnStopSignal(close: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
