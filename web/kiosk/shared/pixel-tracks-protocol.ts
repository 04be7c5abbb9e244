/** The messages between a kiosk and its pixel-tracks worker (pixel-tracks.ts, pixel-tracks.worker.ts). */
import type { Point2 } from '../../../src/analysis/face-analysis.js';
import type { BurstTracks } from '../../../src/pad/burst-tracks.js';

export type TrackerRequest =
  /** A kept frame's RGB (transferred) and the mesh analysed in it; it becomes the next index. */
  | { readonly type: 'add'; readonly width: number; readonly height: number; readonly data: Uint8Array; readonly mesh: readonly Point2[] }
  | { readonly type: 'follow'; readonly from: number; readonly to: number }
  | { readonly type: 'tracks'; readonly id: number; readonly indices: readonly number[] };

/** The answer to a `tracks` request: null when the tracker failed on any earlier request. */
export interface TrackerReply {
  readonly id: number;
  readonly tracks: BurstTracks | null;
}
