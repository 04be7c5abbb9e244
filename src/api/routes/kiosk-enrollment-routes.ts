/**
 * The enrollment kiosk's API: terminal-signed, capability `enroll`. A kiosk enrolls a consumer
 * (consent, liveness, template, privacy code) and then, briefly, links their card token and PIN.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { KioskCapture, KioskEnrollmentService } from '../../kiosk/kiosk-enrollment.js';
import type { FrameEvidence } from '../../analysis/frame-evidence.js';
import type { TrackEvidence } from '../../pad/track-evidence.js';
import { CONSENT_PURPOSES, type ConsentPurpose } from '../../consent/consent-texts.js';
import { requireTerminalCapability } from '../../devices/terminal-capabilities.js';
import { InvalidArgument } from '../../errors/domain-errors.js';
import { registerRawBody } from '../fastify-terminal-auth.js';
import type { TerminalAuthentication } from './checkout-routes.js';
import { pathParams, strictObject } from '../json-schemas.js';

const base64 = { type: 'string', contentEncoding: 'base64', minLength: 1 } as const;
const finite = { type: 'number' } as const;
const point = { type: 'array', minItems: 2, maxItems: 2, items: finite } as const;

/** What the kiosk's analyzer saw in one frame (src/analysis/frame-evidence.ts), in that frame's pixels. */
export const frameEvidence = strictObject(['width', 'height', 'box', 'detectionScore', 'mesh', 'meshDepth', 'pose', 'presentation'], {
  width: { type: 'integer', minimum: 16, maximum: 8192 },
  height: { type: 'integer', minimum: 16, maximum: 8192 },
  box: strictObject(['x', 'y', 'width', 'height'], { x: finite, y: finite, width: { type: 'number', minimum: 0 }, height: { type: 'number', minimum: 0 } }),
  detectionScore: { type: 'number', minimum: 0, maximum: 1 },
  mesh: { type: 'array', minItems: 468, maxItems: 478, items: point, description: 'the 468-point face mesh as [x, y] pairs (478 with iris)' },
  meshDepth: { type: 'array', minItems: 468, maxItems: 478, items: finite },
  pose: strictObject(['yaw', 'pitch', 'roll'], { yaw: finite, pitch: finite, roll: finite }),
  presentation: strictObject(['antispoof', 'liveness'], { antispoof: { type: 'number', minimum: 0, maximum: 1 }, liveness: { type: 'number', minimum: 0, maximum: 1 } }),
});

const enrollmentBody = strictObject(['consent', 'livenessSessionId'], {
  consent: strictObject(['textVersion', 'purposes', 'jurisdiction'], {
    textVersion: { type: 'string', minLength: 1, maxLength: 100 },
    purposes: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: [...CONSENT_PURPOSES] } },
    jurisdiction: { type: 'string', pattern: '^[A-Z]{2,3}$' },
  }),
  externalRef: { type: 'string', minLength: 1, maxLength: 200 },
  livenessSessionId: { type: 'string', minLength: 1, maxLength: 100 },
  template: { ...base64, maxLength: 65536, description: "template mode: the FKT1 template computed on the kiosk with the tenant's active engine" },
  frames: { type: 'array', minItems: 3, maxItems: 15, items: frameEvidence, description: 'template mode: the analyses of the burst' },
  sessionFrames: {
    type: 'array',
    minItems: 3,
    maxItems: 15,
    items: { type: 'integer', minimum: 0 },
    description: 'template mode, instead of "frames": the analyses of the burst named among those streamed to the liveness session (POST /v1/liveness-sessions/{id}/evidence), ascending',
  },
  images: { type: 'array', minItems: 3, maxItems: 15, items: base64, description: 'upload mode (no template): the burst as JPEG frames' },
  tracks: strictObject(['points', 'eyeChange'], {
    points: {
      type: 'array',
      minItems: 3,
      maxItems: 15,
      items: { type: 'array', maxItems: 468, items: { ...point, nullable: true } },
      description: "template mode, optional: per frame, where frame 0's rigid landmarks were followed to through the kiosk's own pixels ([x, y] or null)",
    },
    eyeChange: { type: 'array', minItems: 3, maxItems: 15, items: { type: 'number', minimum: 0, maximum: 2, nullable: true } },
  }),
});

interface EnrollmentBody {
  consent: { textVersion: string; purposes: ConsentPurpose[]; jurisdiction: string };
  externalRef?: string;
  livenessSessionId: string;
  template?: string;
  frames?: FrameEvidence[];
  sessionFrames?: number[];
  images?: string[];
  tracks?: TrackEvidence;
}

/** Template + frames (or the frames streamed), or images: never a photo beside a template. */
function captureOf(body: EnrollmentBody): KioskCapture {
  const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
  const { template, frames, sessionFrames, images, tracks } = body;
  const tracked = tracks ? { tracks } : {};
  if (template !== undefined && images === undefined) {
    if (frames !== undefined && sessionFrames === undefined) return { template: bytes(template), frames, ...tracked };
    if (sessionFrames !== undefined && frames === undefined) return { template: bytes(template), sessionFrames, ...tracked };
  }
  if (images !== undefined && template === undefined && frames === undefined && sessionFrames === undefined && tracks === undefined)
    return { images: images.map(bytes) };
  throw new InvalidArgument('send "template" with "frames" or "sessionFrames" (and optionally "tracks"; the photo stays on the kiosk), or "images" alone');
}

const subjectParams = pathParams('subjectId');

export function kioskEnrollmentRoutes(kiosk: KioskEnrollmentService, authenticateTerminal: TerminalAuthentication): FastifyPluginAsync {
  return async (app) => {
    registerRawBody(app);
    const enrollingKiosk = async (request: Parameters<TerminalAuthentication>[0]) => {
      const { terminal } = await authenticateTerminal(request);
      requireTerminalCapability(terminal, 'enroll');
      return terminal;
    };

    app.post<{ Body: EnrollmentBody }>(
      '/kiosk/enrollments',
      { schema: { tags: ['kiosk'], body: enrollmentBody, security: [{ terminalSignature: [] }] } },
      async (request, reply) => {
        const terminal = await enrollingKiosk(request);
        const { consent, externalRef, livenessSessionId } = request.body;
        return reply.code(201).send(
          await kiosk.enroll({ terminal, consent, livenessSessionId, capture: captureOf(request.body), ...(externalRef ? { externalRef } : {}) }),
        );
      },
    );

    /** The enrolling kiosk's follow-ups on the consumer it just enrolled (15 minutes): a body in, 204 out. */
    const followUp = <Body>(
      method: 'POST' | 'PUT',
      step: string,
      body: object,
      apply: (terminal: Awaited<ReturnType<typeof enrollingKiosk>>, subjectId: string, body: Body) => Promise<void>,
    ) =>
      app.route<{ Params: { subjectId: string }; Body: Body }>({
        method,
        url: `/kiosk/enrollments/:subjectId/${step}`,
        schema: { tags: ['kiosk'], params: subjectParams, body, security: [{ terminalSignature: [] }] },
        handler: async (request, reply) => {
          // Fastify cannot resolve its request typing for a generic Body; the schema above is what guarantees it.
          await apply(await enrollingKiosk(request), request.params.subjectId, request.body as Body);
          return reply.code(204).send();
        },
      });

    followUp<{ tokenRef: string }>(
      'POST',
      'tokens',
      strictObject(['tokenRef'], { tokenRef: { type: 'string', pattern: '^tok_[A-Za-z0-9_-]{16,64}$' } }),
      (terminal, subjectId, { tokenRef }) => kiosk.linkToken(terminal, subjectId, tokenRef),
    );
    followUp<{ value: string }>('PUT', 'pin', strictObject(['value'], { value: { type: 'string', pattern: '^[0-9]{4,6}$' } }), (terminal, subjectId, { value }) =>
      kiosk.setPin(terminal, subjectId, value),
    );
  };
}
