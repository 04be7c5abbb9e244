/**
 * Encodes a kiosk's frames to JPEG off the page's main thread (jpeg-encoder.ts says why): each bitmap
 * is drawn into an OffscreenCanvas and encoded at once, since a worker has no idle-time scheduling.
 * Fetches nothing and keeps nothing: the bitmap is closed as soon as it is drawn.
 */
import type { EncodeReply, EncodeRequest } from './jpeg-encoder-protocol';

const reply = (message: EncodeReply, transfer: Transferable[] = []) =>
  (self as unknown as { postMessage(message: EncodeReply, transfer: Transferable[]): void }).postMessage(message, transfer);

let canvas: OffscreenCanvas | undefined;

self.onmessage = async (event: MessageEvent<EncodeRequest>) => {
  const { id, bitmap, quality } = event.data;
  try {
    if (!canvas || canvas.width !== bitmap.width || canvas.height !== bitmap.height)
      canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
    bitmap.close();
    const jpeg = await (await canvas.convertToBlob({ type: 'image/jpeg', quality })).arrayBuffer();
    reply({ id, jpeg }, [jpeg]);
  } catch {
    bitmap.close();
    reply({ id });
  }
};
