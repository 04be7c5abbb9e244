/** The kiosk camera: one stream, frames grabbed into 640×480 canvases, JPEG when the server analyses. */
import { bytesToBase64 } from '../../src/devices/terminal-signature.js';
import { jpegEncoder } from './jpeg-encoder';

export const FRAME_WIDTH = 640;
export const FRAME_HEIGHT = 480;

export async function startCamera(video: HTMLVideoElement): Promise<MediaStream> {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { width: { ideal: FRAME_WIDTH }, height: { ideal: FRAME_HEIGHT }, facingMode: 'user' },
    audio: false,
  });
  video.srcObject = stream;
  video.muted = true;
  video.playsInline = true;
  await video.play();
  return stream;
}

export function stopCamera(stream: MediaStream | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

export function grabFrame(video: HTMLVideoElement): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = FRAME_WIDTH;
  canvas.height = FRAME_HEIGHT;
  canvas.getContext('2d')!.drawImage(video, 0, 0, FRAME_WIDTH, FRAME_HEIGHT);
  return canvas;
}

/** A frame's pixels scaled down to this size identify it: the same picture grabbed twice gives the same ones. */
const FINGERPRINT_WIDTH = 32;
const FINGERPRINT_HEIGHT = 24;
let fingerprintCanvas: HTMLCanvasElement | undefined;

/**
 * The frame's pixels at 32×24: equal for the same camera picture grabbed twice (the camera had not
 * delivered a new one, or a looping clip came round), different for any two real camera frames (sensor
 * noise). A kiosk that does not analyse its frames itself keeps such a repeat out of its burst with it:
 * the server refuses a burst holding one picture twice as a replayed still.
 */
export function frameFingerprint(canvas: HTMLCanvasElement): Uint8ClampedArray {
  fingerprintCanvas ??= Object.assign(document.createElement('canvas'), { width: FINGERPRINT_WIDTH, height: FINGERPRINT_HEIGHT });
  const context = fingerprintCanvas.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(canvas, 0, 0, FINGERPRINT_WIDTH, FINGERPRINT_HEIGHT);
  return context.getImageData(0, 0, FINGERPRINT_WIDTH, FINGERPRINT_HEIGHT).data;
}

export function sameFingerprint(a: Uint8ClampedArray, b: Uint8ClampedArray): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i += 1) if (a[i] !== b[i]) return false;
  return true;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `count` frames spread evenly over `spanMs`; `onFrame(i)` lets the page move the challenge prompt
 * along as the burst runs, so the shopper performs the steps while they are recorded.
 */
export async function captureBurst(video: HTMLVideoElement, count: number, spanMs: number, onFrame?: (index: number) => void): Promise<HTMLCanvasElement[]> {
  const frames: HTMLCanvasElement[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    onFrame?.(i);
    const due = started + (i * spanMs) / Math.max(1, count - 1);
    await sleep(Math.max(0, due - performance.now()));
    frames.push(grabFrame(video));
  }
  return frames;
}

/** The JPEG quality frames are sent at (the server's quality and PAD checks were measured on such frames). */
export const FRAME_JPEG_QUALITY = 0.85;

const encoded = new WeakMap<HTMLCanvasElement, Promise<string>>();

/**
 * A frame as base64 JPEG at FRAME_JPEG_QUALITY, encoded once: the checkout kiosk starts encoding each
 * frame as it is grabbed, while the shopper is still moving, so sending the burst does not wait for it.
 */
export function frameJpegBase64(canvas: HTMLCanvasElement): Promise<string> {
  let jpeg = encoded.get(canvas);
  if (!jpeg) {
    jpeg = canvasToJpegBase64(canvas, FRAME_JPEG_QUALITY);
    jpeg.catch(() => encoded.delete(canvas)); // a failed encoding is tried again when the frame is sent
    encoded.set(canvas, jpeg);
  }
  return jpeg;
}

/** The canvas as base64 JPEG, encoded off the main thread where the browser allows (jpeg-encoder.ts says why). */
export async function canvasToJpegBase64(canvas: HTMLCanvasElement, quality = 0.9): Promise<string> {
  return bytesToBase64(await jpegEncoder().encode(canvas, quality));
}

export async function fileToBase64(file: Blob): Promise<string> {
  return bytesToBase64(new Uint8Array(await file.arrayBuffer()));
}
