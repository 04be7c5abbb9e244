import { FaceNotFound } from '../../../src/errors/domain-errors.js';
import { serveWorker } from '../../../src/pool/worker-entry.js';

/** Test worker whose handler throws: a typed domain error, a plain TypeError, or a non-Error value. */
export type ThrowRequest =
  { readonly op: 'face_not_found' } | { readonly op: 'type_error' } | { readonly op: 'string' } | { readonly op: 'ok' };

void serveWorker<ThrowRequest, string>(async () => async (req) => {
  switch (req.op) {
    case 'face_not_found':
      throw new FaceNotFound('no face in the image', { faces: 0, imageWidth: 640 });
    case 'type_error':
      throw new TypeError('cannot read the frame');
    case 'string':
      throw 'a bare string';
    case 'ok':
      return { result: 'fine' };
  }
});
