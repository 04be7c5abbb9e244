/**
 * Route schemas are JSON Schema (draft-07, what ajv validates); the published document is OpenAPI
 * 3.0.3, whose Schema Object is an older dialect. @fastify/swagger copies the schemas through, so a
 * few draft-07 forms would make the document invalid for outside tools (swagger-parser, redocly):
 * numeric `exclusiveMinimum`/`exclusiveMaximum` (boolean modifiers in 3.0), an empty `required`
 * (must have at least one entry), `const` (not in 3.0), `contentEncoding: base64` (3.0 says
 * `format: byte`). This rewrites them to their 3.0 equivalents; the validation is unchanged.
 */
export function toOpenApi30Schemas<T>(document: T): T {
  return rewrite(document) as T;
}

function rewrite(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewrite);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) out[key] = rewrite(value);
  if (typeof out.exclusiveMinimum === 'number') {
    out.minimum = out.exclusiveMinimum;
    out.exclusiveMinimum = true;
  }
  if (typeof out.exclusiveMaximum === 'number') {
    out.maximum = out.exclusiveMaximum;
    out.exclusiveMaximum = true;
  }
  if (Array.isArray(out.required) && out.required.length === 0 && (out.type === 'object' || 'properties' in out)) delete out.required;
  if ('const' in out && isSchemaLike(out)) {
    out.enum = [out.const];
    delete out.const;
  }
  if (out.contentEncoding === 'base64' && out.type === 'string') {
    out.format ??= 'byte';
    delete out.contentEncoding;
  }
  return out;
}

/** `const` is only a keyword in a schema (an example or enum value may be an object with a `const` key). */
function isSchemaLike(node: Record<string, unknown>): boolean {
  return typeof node.type === 'string' || 'description' in node || Object.keys(node).length === 1;
}
