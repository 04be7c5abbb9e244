import { toOpenApi30Schemas } from './openapi-compat.js';
import { OPERATIONS } from './openapi-operations.js';

type Json = Record<string, any>;

const STATUS_TEXT: Record<number, string> = { 200: 'OK', 201: 'Created', 204: 'No content' };

/** RFC 9457 problem details as facekey sends them (see problem-details.ts). */
export const PROBLEM_SCHEMA = {
  type: 'object',
  required: ['type', 'title', 'status', 'code', 'detail'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    code: { type: 'string', pattern: '^[a-z0-9_]+$' },
    detail: { type: 'string' },
    instance: { type: 'string' },
  },
} as const;

const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});

/**
 * The document outsiders get at /openapi.json: OpenAPI 3.0.3 schemas (openapi-compat.ts), a
 * summary, operationId and the real success statuses for each operation (openapi-operations.ts),
 * every error as problem+json, and a server entry. Operations missing from the table keep
 * what @fastify/swagger made of them, and the contract test names them.
 */
export function finishOpenApiDocument<T>(generated: T): T {
  const doc = toOpenApi30Schemas(generated) as Json;
  doc.servers = [{ url: '/', description: 'this facekey service' }];
  doc.info = { ...doc.info, license: { name: 'Proprietary' } };
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, Problem: PROBLEM_SCHEMA } };
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    for (const [method, operation] of Object.entries<Json>(item)) {
      const known = OPERATIONS[`${method.toUpperCase()} ${path}`];
      if (!known) continue;
      operation.summary = known.summary;
      operation.operationId = known.operationId;
      const declared: Json = operation.responses ?? {};
      const responses: Json = {};
      for (const status of known.success) {
        const given = declared[String(status)];
        responses[String(status)] =
          status === 204 ? { description: STATUS_TEXT[204] } : given?.content ? given : { description: given?.description ?? STATUS_TEXT[status] ?? 'OK' };
      }
      responses['4XX'] = problemResponse('The request was refused: see `code`');
      responses['5XX'] = problemResponse('The service failed or is overloaded');
      operation.responses = responses;
    }
  }
  return doc as T;
}
