/**
 * The busy / error state every button that calls the API needs: `run` marks the action busy (with
 * what it is doing, for a Busy note, when given), clears the last error, and on failure keeps the
 * problem in plain words (errorText) for an ErrorNote.
 */
import { useState } from 'preact/hooks';
import { errorText } from './api';

export interface Action {
  readonly busy: boolean;
  /** The running action's label, as given to `run`; undefined when idle or unlabelled. */
  readonly busyLabel: string | undefined;
  readonly error: string | undefined;
  run(action: () => Promise<unknown>, label?: string): Promise<void>;
}

export function useAction(): Action {
  const [running, setRunning] = useState<{ readonly label: string | undefined }>();
  const [error, setError] = useState<string>();
  const run = async (action: () => Promise<unknown>, label?: string): Promise<void> => {
    setRunning({ label });
    setError(undefined);
    try {
      await action();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setRunning(undefined);
    }
  };
  return { busy: running !== undefined, busyLabel: running?.label, error, run };
}
