/**
 * Where a kiosk's time goes, as User Timing marks (`performance.mark`, names `facekey:…`): the
 * browser's performance panel shows them on its timeline, and `npm run bench:kiosk` reads them back
 * to split the page load (engine: scripts, models, WASM) and "look at the camera → answer" (the
 * shopper's movement, the kiosk's tracking, the stream, the server's answer). Marks cost a few
 * microseconds and hold no image or template: only times, frame indices and durations. Each capture
 * clears the previous capture's marks, so a kiosk that runs all day keeps one capture's worth.
 */

export const TRACE_PREFIX = 'facekey:';

/** What a mark says besides its time (kept small: numbers, short strings). */
export type TraceDetail = Readonly<Record<string, number | string | boolean | null>>;

export type TraceEvent =
  /** The face engine: its chunk asked for, Human (detector, mesh, PAD) ready, the recognition net ready, all ready. */
  | 'engine:requested'
  | 'engine:human'
  | 'engine:recognizer'
  | 'engine:ready'
  /** "Look at the camera" pressed. */
  | 'capture:pressed'
  /** The signed liveness session is in hand: the prompts show from here. */
  | 'capture:issued'
  /** One tracked frame: grabbed, analysed (analyzeMs), judged (judgeMs: with its pixels followed, where the kiosk follows them); kept as evidence or not. */
  | 'capture:frame'
  /** Every step met: the burst's tracks in hand from the pixel-tracks worker (waitMs), for the judgement. */
  | 'capture:tracks'
  /** The browser saw challenge step `step` met (the shopper sees it ticked). */
  | 'capture:step-met'
  /** The browser's whole judgement (burst liveness and challenge) would pass: the capture can end. */
  | 'capture:accepted'
  /** Tracking ended (the last frame the kiosk grabs). */
  | 'capture:ended'
  /** A streamed frame ready to go (encodeMs: pushed → encoded; a checkout's JPEG). */
  | 'stream:encoded'
  /** A stream request sent / answered (frames analysed by the server). */
  | 'stream:sent'
  | 'stream:answered'
  /** Every streamed frame is held by the session. */
  | 'stream:finished'
  /** The template made in the browser (enrollment). */
  | 'answer:template'
  /** The checkout or enrollment request sent / answered. */
  | 'answer:sent'
  | 'answer:received';

export function traceMark(event: TraceEvent, detail?: TraceDetail): void {
  try {
    performance.mark(`${TRACE_PREFIX}${event}`, detail ? { detail } : undefined);
  } catch {
    // A browser without User Timing level 3 details: the trace is only for measuring.
  }
}

/** A new capture: forget the previous capture's marks (the engine's load marks stay). */
export function traceReset(): void {
  try {
    for (const mark of performance.getEntriesByType('mark'))
      if (mark.name.startsWith(TRACE_PREFIX) && !mark.name.startsWith(`${TRACE_PREFIX}engine:`)) performance.clearMarks(mark.name);
  } catch {
    // As above.
  }
}
