/**
 * A blink in the pixels (eye-appearance.ts): a frame whose eyes changed by at least `minEyeChange`
 * against frame 0's, followed by a frame back under half of that (lids that closed and opened again).
 * Eyes that change and stay changed are no blink. Null entries (frames not followed well enough) count
 * for nothing. The first such pair of frames, or null.
 */
export function findTrackedBlink(
  eyeChange: ReadonlyArray<number | null>,
  minEyeChange: number,
): { readonly closedAt: number; readonly reopenedAt: number; readonly change: number } | null {
  for (let k = 1; k < eyeChange.length - 1; k += 1) {
    const closed = eyeChange[k];
    if (closed === null || closed === undefined || closed < minEyeChange) continue;
    for (let j = k + 1; j < eyeChange.length; j += 1) {
      const open = eyeChange[j];
      if (open !== null && open !== undefined && open <= closed / 2) return { closedAt: k, reopenedAt: j, change: closed };
    }
  }
  return null;
}
