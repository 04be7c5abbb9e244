import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FacekeyError } from '../errors/domain-errors.js';

/** RFC 9457 problem details with facekey's stable machine-readable `code`. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly instance?: string;
  readonly [extension: string]: unknown;
}

const PROBLEM_BASE = 'https://facekey.example/problems/';

export function problem(status: number, code: string, detail: string, extensions: Record<string, unknown> = {}): ProblemDetails {
  return { type: PROBLEM_BASE + code, title: code.replace(/_/g, ' '), status, code, detail, ...extensions };
}

/**
 * The one place errors become HTTP responses. Domain errors keep their code and status; Fastify's
 * own validation and body-limit errors map to stable codes; anything unexpected is a 500 whose
 * detail says nothing about internals (the log has the stack, never request bodies).
 */
export function toProblem(error: unknown): ProblemDetails {
  if (error instanceof FacekeyError) return problem(error.status, error.code, error.message, safeDetails(error.details));
  const e = error as FastifyError;
  if (e?.validation) return problem(400, 'invalid_argument', e.message);
  if (e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return problem(413, 'payload_too_large', 'request body is too large');
  if (e?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return problem(415, 'unsupported_media_type', e.message);
  if (e?.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || e?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || e instanceof SyntaxError) {
    return problem(400, 'invalid_argument', 'request body is not valid JSON');
  }
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500)
    return problem(e.statusCode, 'invalid_request', e.message);
  return problem(500, 'internal_error', 'internal error');
}

/** Details are echoed to clients, so only plain scalar values pass. */
function safeDetails(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(details)) {
    if (['string', 'number', 'boolean'].includes(typeof v) || (Array.isArray(v) && v.every((x) => typeof x === 'string'))) out[k] = v;
  }
  return out;
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, p: ProblemDetails): FastifyReply {
  return reply
    .code(p.status)
    .type('application/problem+json')
    .send({ ...p, instance: request.url });
}

/** Fastify's validator settings for strict schemas: unknown fields are refused, never silently dropped. */
export const STRICT_AJV = { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } } as const;

/**
 * Every error and unknown route of `app` answered as problem+json; a 5xx is logged with its stack,
 * never with the request body.
 */
export function answerWithProblems(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const p = toProblem(error);
    if (p.status >= 500) request.log.error({ err: { message: (error as Error).message, stack: (error as Error).stack } }, 'request failed');
    return sendProblem(reply, request, p);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, request, problem(404, 'not_found', `no route ${request.method} ${request.url}`)),
  );
}
