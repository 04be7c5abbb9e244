/**
 * POST /v1/liveness-sessions/:id/frames: a checkout kiosk streams the frames of the shopper's answer
 * to its liveness session while the shopper performs, a few per request, so the server analyses them
 * during the movement (checkout/session-frames.ts); the checkout then names which of them form the
 * burst ("sessionFrames") instead of sending them again.
 * POST /v1/liveness-sessions/:id/evidence: an enrollment kiosk streams its own analyses of the frames
 * (landmarks, no image) the same way, and its enrollment names them.
 */
import type { FastifyPluginAsync } from 'fastify';
import { checkedAnalysisOf, type FrameEvidence } from '../../analysis/frame-evidence.js';
import type { SessionFrames } from '../../checkout/session-frames.js';
import { requireTerminalCapability } from '../../devices/terminal-capabilities.js';
import { registerRawBody } from '../fastify-terminal-auth.js';
import type { TerminalAuthentication } from './checkout-routes.js';
import { idParams, strictObject } from '../json-schemas.js';
import { frameEvidence } from './kiosk-enrollment-routes.js';

/** Frames per request: the kiosk sends what it grabbed while the previous request was analysed. */
const MAX_FRAMES_PER_REQUEST = 8;

const framesBody = strictObject(['offset', 'frames'], {
  track: {
    type: 'boolean',
    description:
      "answer with the session's progress: the server's own tracking of the challenge on its analyses of the frames streamed so far (the frames to name in the checkout, and whether they pass)",
  },
  offset: {
    type: 'integer',
    minimum: 0,
    maximum: 1000,
    description: "index of the first of these frames in the session's stream: the number of frames sent before",
  },
  frames: {
    type: 'array',
    minItems: 1,
    maxItems: MAX_FRAMES_PER_REQUEST,
    items: { type: 'string', contentEncoding: 'base64', minLength: 1 },
    description: 'JPEG frames in capture order',
  },
});

const evidenceBody = strictObject(['offset', 'frames'], {
  track: framesBody.properties.track,
  offset: framesBody.properties.offset,
  frames: {
    type: 'array',
    minItems: 1,
    maxItems: MAX_FRAMES_PER_REQUEST,
    items: frameEvidence,
    description: "the enrollment kiosk's own analyses of its frames, in capture order (landmarks, never an image)",
  },
});

const framesResponse = {
  type: 'object',
  required: ['received'],
  properties: {
    received: { type: 'integer', description: 'frames the session holds, analysed; the next request begins at this index' },
    progress: {
      type: 'object',
      required: ['steps', 'burst', 'live'],
      description: 'with "track": how the frames streamed so far answer the challenge, judged on the server\'s analyses',
      properties: {
        steps: {
          type: 'array',
          items: { type: 'object', required: ['action', 'met'], properties: { action: { type: 'string' }, met: { type: 'boolean' } } },
          description: "the challenge's steps in order, each met or not",
        },
        burst: { type: 'array', items: { type: 'integer' }, description: 'the frames to name as "sessionFrames" (stream indices, ascending)' },
        live: { type: 'boolean', description: "the checkout's burst judgement (liveness and challenge) passes on those frames: stop capturing" },
      },
    },
  },
} as const;

export function sessionFrameRoutes(frames: SessionFrames, authenticateTerminal: TerminalAuthentication): FastifyPluginAsync {
  return async (app) => {
    registerRawBody(app);
    app.post<{ Params: { id: string }; Body: { offset: number; frames: string[]; track?: boolean } }>(
      '/liveness-sessions/:id/frames',
      {
        schema: {
          tags: ['checkout'],
          params: idParams,
          body: framesBody,
          security: [{ terminalSignature: [] }],
          response: { 200: framesResponse },
        },
      },
      async (request) => {
        const { terminal } = await authenticateTerminal(request);
        // Streams answer checkout sessions: an enrollment kiosk sends its own analyses, never frames.
        requireTerminalCapability(terminal, 'pay');
        const images = request.body.frames.map((text) => new Uint8Array(Buffer.from(text, 'base64')));
        return frames.append(request.params.id, { id: terminal.id, tenantId: terminal.tenantId }, request.body.offset, images, {
          track: request.body.track === true,
        });
      },
    );
    app.post<{ Params: { id: string }; Body: { offset: number; frames: FrameEvidence[]; track?: boolean } }>(
      '/liveness-sessions/:id/evidence',
      {
        schema: {
          tags: ['kiosk'],
          params: idParams,
          body: evidenceBody,
          security: [{ terminalSignature: [] }],
          response: { 200: framesResponse },
        },
      },
      async (request) => {
        const { terminal } = await authenticateTerminal(request);
        // Evidence answers enrollment sessions: a checkout's burst is judged on the server's own analyses of images.
        requireTerminalCapability(terminal, 'enroll');
        const analyses = request.body.frames.map((evidence, i) => checkedAnalysisOf(evidence, request.body.offset + i));
        const bytes = Number(request.headers['content-length'] ?? 0) || JSON.stringify(request.body.frames).length;
        return frames.appendEvidence(request.params.id, { id: terminal.id, tenantId: terminal.tenantId }, request.body.offset, analyses, bytes, {
          track: request.body.track === true,
        });
      },
    );
  };
}
