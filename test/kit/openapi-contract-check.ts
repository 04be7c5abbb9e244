import { Ajv, type ValidateFunction } from 'ajv';
import { PROBLEM_SCHEMA } from '../../src/api/openapi-document.js';

type Json = Record<string, any>;

export interface ObservedResponse {
  readonly method: string;
  /** The request path as sent (query allowed); matched against the document's path templates. */
  readonly url: string;
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
}

/**
 * Checks an answer against the OpenAPI document the service publishes: the status must be one the
 * operation declares (or a 4XX/5XX range), an error must be problem+json with the Problem schema,
 * and a success with a declared JSON schema must match it. Returns what is wrong, [] when nothing.
 * An unknown path must be a 404 problem (it is not in the contract at all).
 */
export class OpenApiContract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly compiled = new Map<unknown, ValidateFunction>();
  private readonly routes: Array<{ method: string; pattern: RegExp; operation: Json }> = [];

  constructor(private readonly doc: Json) {
    for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
      const pattern = new RegExp('^' + path.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+') + '$');
      for (const [method, operation] of Object.entries<Json>(item)) this.routes.push({ method: method.toUpperCase(), pattern, operation });
    }
  }

  check(observed: ObservedResponse): string[] {
    const path = observed.url.split('?')[0]!;
    const route = this.routes.find((r) => r.method === observed.method && r.pattern.test(path));
    const where = `${observed.method} ${path} → ${observed.status}`;
    if (!route) return observed.status === 404 || observed.status === 400 || observed.status === 429 ? this.problem(observed, where) : [`${where}: not in the contract`];
    const responses: Json = route.operation.responses ?? {};
    const declared = responses[String(observed.status)] ?? responses[`${String(observed.status)[0]}XX`] ?? responses.default;
    if (!declared) return [`${where}: status not declared (declared: ${Object.keys(responses).join(', ')})`];
    if (observed.status >= 400) return this.problem(observed, where);
    const schema = declared.content?.['application/json']?.schema;
    if (!schema || observed.status === 204) return [];
    if (!/application\/json/.test(observed.contentType ?? '')) return [`${where}: content-type ${observed.contentType}, declared application/json`];
    return this.validate(schema, JSON.parse(observed.body), where);
  }

  private problem(observed: ObservedResponse, where: string): string[] {
    if (!/^application\/problem\+json/.test(observed.contentType ?? '')) return [`${where}: error answered as ${observed.contentType}, not problem+json`];
    let body: unknown;
    try {
      body = JSON.parse(observed.body);
    } catch {
      return [`${where}: problem body is not JSON`];
    }
    const errors = this.validate(PROBLEM_SCHEMA, body, where);
    if ((body as Json)?.status !== observed.status) errors.push(`${where}: problem status ${(body as Json)?.status} differs from HTTP status`);
    return errors;
  }

  private validate(schema: unknown, value: unknown, where: string): string[] {
    let validate = this.compiled.get(schema);
    if (!validate) {
      validate = this.ajv.compile(fromOpenApi30(this.resolve(schema)) as object);
      this.compiled.set(schema, validate);
    }
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${where}: ${e.instancePath || '(body)'} ${e.message}`);
  }

  private resolve(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map((s) => this.resolve(s));
    if (schema === null || typeof schema !== 'object') return schema;
    const node = schema as Json;
    if (typeof node.$ref === 'string') {
      const target = node.$ref.replace(/^#\//, '').split('/').reduce((at: Json, key: string) => at?.[key], this.doc);
      return this.resolve(target);
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, this.resolve(v)]));
  }
}

/** OpenAPI 3.0 schema → JSON Schema for ajv: boolean exclusive bounds and `nullable` back to draft-07 forms. */
function fromOpenApi30(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(fromOpenApi30);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = Object.fromEntries(Object.entries(node as Json).map(([k, v]) => [k, fromOpenApi30(v)]));
  if (out.exclusiveMinimum === true) {
    out.exclusiveMinimum = out.minimum;
    delete out.minimum;
  } else if (out.exclusiveMinimum === false) delete out.exclusiveMinimum;
  if (out.exclusiveMaximum === true) {
    out.exclusiveMaximum = out.maximum;
    delete out.maximum;
  } else if (out.exclusiveMaximum === false) delete out.exclusiveMaximum;
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  delete out.nullable;
  delete out.format;
  return out;
}
