/**
 * The busy / error state every button that calls the API needs: `run` marks the action busy, clears
 * the last error, and on failure keeps the problem in plain words (errorText) for an ErrorNote.
 */
import { useState } from 'preact/hooks';
import { errorText } from './api';

export interface Action {
  readonly busy: boolean;
  readonly error: string | undefined;
  run(action: () => Promise<unknown>): Promise<void>;
}

export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const run = async (action: () => Promise<unknown>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}
