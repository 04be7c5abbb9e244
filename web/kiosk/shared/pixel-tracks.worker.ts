/**
 * The kiosk's burst tracker off the main thread (pixel-tracks.ts): frames and pairs to follow arrive
 * in order, each pair is followed as soon as it is asked for, and a `tracks` request is answered from
 * the pairs followed. A request that fails leaves the tracker failed: every later answer is null.
 */
import { BurstTracker } from '../../../src/pad/burst-tracks.js';
import type { TrackerReply, TrackerRequest } from './pixel-tracks-protocol';

const tracker = new BurstTracker();
let failed = false;

const reply = (message: TrackerReply) => (self as unknown as { postMessage(message: TrackerReply): void }).postMessage(message);

self.onmessage = (event: MessageEvent<TrackerRequest>) => {
  const request = event.data;
  try {
    if (request.type === 'tracks') {
      reply({ id: request.id, tracks: failed ? null : tracker.tracksOf(request.indices) });
      return;
    }
    if (failed) return;
    if (request.type === 'add') tracker.add({ width: request.width, height: request.height, data: request.data }, { mesh: request.mesh });
    else tracker.follow(request.from, request.to);
  } catch {
    failed = true;
    if (request.type === 'tracks') reply({ id: request.id, tracks: null });
  }
};
