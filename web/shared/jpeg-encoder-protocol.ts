/** The messages between a page and its JPEG encoder worker (jpeg-encoder.ts, jpeg-encoder.worker.ts). */

/** A frame's pixels (the bitmap is transferred) and the JPEG quality to encode it at. */
export interface EncodeRequest {
  readonly id: number;
  readonly bitmap: ImageBitmap;
  readonly quality: number;
}

/** The JPEG's bytes (transferred), or no bytes when the worker could not encode it. */
export interface EncodeReply {
  readonly id: number;
  readonly jpeg?: ArrayBuffer;
}
