import { InvalidArgument } from '../errors/domain-errors.js';
import type { BurstTracks } from './burst-tracks.js';
import { RIGID_LANDMARKS } from './rigid-landmarks.js';

/**
 * Tracks as a device sends them (an enrollment kiosk tracks its own frames, which never leave it):
 * for every frame, where each of frame 0's rigid landmarks (RIGID_LANDMARKS, in that order) was
 * followed to, as [x, y] or null, and the eye change against frame 0. Numbers only, no pixels.
 */
export interface TrackEvidence {
  readonly points: ReadonlyArray<ReadonlyArray<readonly [number, number] | null>>;
  readonly eyeChange: ReadonlyArray<number | null>;
}

export function trackEvidenceOf(tracks: BurstTracks): TrackEvidence {
  return {
    points: tracks.points.map((frame) => frame.map((p) => (p ? ([p.x, p.y] as const) : null))),
    eyeChange: [...tracks.eyeChange],
  };
}

/**
 * Evidence a device sent, checked before the liveness check uses it: one entry per frame of the burst,
 * every landmark of RIGID_LANDMARKS accounted for, finite numbers; InvalidArgument otherwise.
 */
export function checkedTracksOf(evidence: TrackEvidence, frames: number): BurstTracks {
  if (evidence.points.length !== frames || evidence.eyeChange.length !== frames) {
    throw new InvalidArgument(`"tracks" hold one entry per frame (${frames}) in "points" and in "eyeChange"`);
  }
  const points = evidence.points.map((frame, k) => {
    if (frame.length !== RIGID_LANDMARKS.length) {
      throw new InvalidArgument(`"tracks.points[${k}]" holds one entry per rigid landmark (${RIGID_LANDMARKS.length})`);
    }
    return frame.map((p) => {
      if (p === null) return null;
      if (!Number.isFinite(p[0]) || !Number.isFinite(p[1])) throw new InvalidArgument(`"tracks.points[${k}]" holds finite [x, y] pairs or null`);
      return { x: p[0], y: p[1] };
    });
  });
  const eyeChange = evidence.eyeChange.map((c) => {
    if (c !== null && !(Number.isFinite(c) && c >= 0 && c <= 2)) throw new InvalidArgument('"tracks.eyeChange" holds numbers in [0, 2] or null');
    return c;
  });
  return { landmarks: RIGID_LANDMARKS, points, eyeChange };
}
