/** Loads what a console page shows through the signed-in call, again on `reload` or when `deps` change. */
import { useEffect, useState } from 'preact/hooks';
import { errorText } from '../shared/api';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
  reload(): void;
}

export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [round, setRound] = useState(0);
  useEffect(() => {
    setError(undefined);
    load()
      .then(setData)
      .catch((e) => setError(errorText(e)));
  }, [round, ...deps]);
  return { data, error, reload: () => setRound((r) => r + 1) };
}
