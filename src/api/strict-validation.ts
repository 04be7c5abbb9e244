import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';

const SHARED = { removeAdditional: false, useDefaults: true, allErrors: false } as const;

/**
 * JSON bodies are validated exactly as sent: `{"name": 123}` or `"scopes": "admin"` is a 400 with
 * ajv's message, never quietly turned into "123" or ["admin"]. Query strings, path parameters and
 * headers are text on the wire, so those alone are coerced to the schema's types (`?limit=10`).
 */
export const STRICT_SCHEMA_CONTROLLER: NonNullable<FastifyServerOptions['schemaController']> = {
  compilersFactory: {
    buildValidator: (externalSchemas: unknown) => {
      const factory = AjvCompiler();
      const forBodies = factory(externalSchemas as never, { customOptions: { ...SHARED, coerceTypes: false }, plugins: [] } as never);
      const forText = factory(externalSchemas as never, { customOptions: { ...SHARED, coerceTypes: 'array' }, plugins: [] } as never);
      return (route) => (route.httpPart === 'body' ? forBodies(route) : forText(route));
    },
  },
};
