/**
 * Runs `task` every `intervalMs` on a timer that does not keep the process alive (a purge or sweep
 * must never hold a shutting-down service open); a failure goes to `onError` and the next run still
 * happens. Returns the function that stops it.
 */
export function repeatInBackground(intervalMs: number, task: () => Promise<unknown>, onError: (error: unknown) => void): () => void {
  const timer = setInterval(() => void task().catch(onError), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
