/**
 * JPEG encoding of a kiosk's camera frames, off the page's main thread.
 *
 * Chromium encodes a main-thread `canvas.toBlob` (and a main-thread `OffscreenCanvas.convertToBlob`)
 * in idle tasks, and starts one the page gives no idle period only after a timeout: 1 s on desktop
 * (blink's canvas_async_blob_creator.cc, kIdleTaskStartTimeoutDelayMs). A checkout kiosk streams
 * each frame as it is grabbed and grabs the next once the previous one is sent, so on a page that
 * seldom idles (a busy kiosk, a loaded machine) every frame waited up to a second for its JPEG: the
 * shopper's movement was sampled at one frame a second instead of six, and a turn could fall between
 * two frames (measured: grabs 0.28–0.67 s apart with the page's main thread kept busy, 0.16 s idle).
 * A worker has no idle scheduling, so it encodes at once.
 *
 * The worker is used where the browser has Worker, OffscreenCanvas and createImageBitmap; a worker
 * that fails, or does not answer within ENCODE_DEADLINE_MS, is given up for the rest of the page's
 * life and the main thread encodes instead: slow frames rather than none.
 */
import type { EncodeReply, EncodeRequest } from './jpeg-encoder-protocol';

export interface JpegEncoder {
  /** The canvas's pixels as JPEG bytes at `quality` (0–1). */
  encode(canvas: HTMLCanvasElement, quality: number): Promise<Uint8Array>;
}

/**
 * How long one frame may wait for the worker before the page stops using it: far above a frame's
 * encoding there (a few ms; the first one also loads the worker's script), and above the main
 * thread's own worst wait (1 s), so a worker gone quiet costs one slow frame, not every one.
 */
export const ENCODE_DEADLINE_MS = 2_000;

/** `canvas.toBlob`: the fallback, subject to Chromium's idle-time wait (see above). */
export const mainThreadJpeg: JpegEncoder = {
  encode: (canvas, quality) =>
    new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('no JPEG'))), 'image/jpeg', quality),
    ).then(async (blob) => new Uint8Array(await blob.arrayBuffer())),
};

/** The slice of a Worker the encoder uses, so a test can hand it one. */
export interface EncoderWorker {
  postMessage(message: EncodeRequest, transfer: Transferable[]): void;
  terminate(): void;
  onmessage: ((event: MessageEvent<EncodeReply>) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export interface WorkerJpegOptions {
  readonly worker: () => EncoderWorker;
  readonly bitmap: (canvas: HTMLCanvasElement) => Promise<ImageBitmap>;
  readonly fallback: JpegEncoder;
  readonly deadlineMs?: number;
}

/** Encodes in a worker (started on first use), and falls back to `fallback` for good once it fails. */
export function workerJpeg(options: WorkerJpegOptions): JpegEncoder {
  let worker: EncoderWorker | undefined;
  let broken = false;
  let nextId = 0;
  const waiting = new Map<number, (jpeg: ArrayBuffer | undefined) => void>();

  const giveUp = () => {
    broken = true;
    worker?.terminate();
    worker = undefined;
    for (const answer of waiting.values()) answer(undefined);
    waiting.clear();
  };

  const started = (): EncoderWorker | undefined => {
    if (broken) return undefined;
    if (!worker) {
      try {
        worker = options.worker();
      } catch {
        broken = true;
        return undefined;
      }
      worker.onmessage = (event) => {
        waiting.get(event.data.id)?.(event.data.jpeg);
        waiting.delete(event.data.id);
      };
      worker.onerror = giveUp;
    }
    return worker;
  };

  return {
    async encode(canvas, quality) {
      const current = started();
      if (!current) return options.fallback.encode(canvas, quality);
      let bitmap: ImageBitmap;
      try {
        bitmap = await options.bitmap(canvas);
      } catch {
        return options.fallback.encode(canvas, quality);
      }
      if (broken) {
        // Given up while the bitmap was being made (another frame's failure): nobody would answer.
        bitmap.close();
        return options.fallback.encode(canvas, quality);
      }
      const id = (nextId += 1);
      const jpeg = await new Promise<ArrayBuffer | undefined>((resolve) => {
        const timer = setTimeout(giveUp, options.deadlineMs ?? ENCODE_DEADLINE_MS);
        waiting.set(id, (answer) => {
          clearTimeout(timer);
          resolve(answer);
        });
        try {
          current.postMessage({ id, bitmap, quality }, [bitmap]);
        } catch {
          bitmap.close();
          giveUp();
        }
      });
      // No bytes: this worker could not encode the frame (or is gone); the main thread can.
      return jpeg ? new Uint8Array(jpeg) : options.fallback.encode(canvas, quality);
    },
  };
}

let chosen: JpegEncoder | undefined;

/** The page's encoder: the worker where the browser has what it needs, else the main thread. */
export function jpegEncoder(): JpegEncoder {
  chosen ??=
    typeof Worker === 'function' && typeof OffscreenCanvas === 'function' && typeof createImageBitmap === 'function'
      ? workerJpeg({
          worker: () =>
            new Worker(new URL('./jpeg-encoder.worker.ts', import.meta.url), {
              type: 'module',
              name: 'facekey-jpeg',
            }) as unknown as EncoderWorker,
          bitmap: (canvas) => createImageBitmap(canvas),
          fallback: mainThreadJpeg,
        })
      : mainThreadJpeg;
  return chosen;
}
