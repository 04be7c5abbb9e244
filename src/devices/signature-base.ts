/**
 * The RFC 9421 signature base for requests, shared by the terminal (signing) and the server
 * (verifying) so both build it byte for byte alike. Only what facekey's profile uses is supported:
 * the request-derived components `@method`, `@authority`, `@path`, `@query`, and header fields
 * without component parameters (no `;sf`, `;bs`, `;key`, `;req`).
 */
import { serializeInnerList, type Parameters } from 'structured-headers';

export interface HttpRequestParts {
  readonly method: string;
  /** `host[:port]` as the client addressed it (Host header / :authority), without a default port. */
  readonly authority: string;
  /** The path of the request target exactly as sent, before any percent-decoding. */
  readonly path: string;
  /** The query exactly as sent, with or without its leading `?`; empty when there is none. */
  readonly query: string;
  /** Header names in lower case, as Node's IncomingHttpHeaders has them. */
  readonly headers: Readonly<Record<string, string | readonly string[] | undefined>>;
}

export const DERIVED_COMPONENTS = ['@method', '@authority', '@path', '@query'] as const;

/** A component the signature covers but the request does not have. */
export class MissingComponent extends Error {}

/** RFC 9421 §2.1 and §2.2; undefined when the request has no such component. */
export function componentValue(name: string, request: HttpRequestParts): string | undefined {
  switch (name) {
    case '@method':
      // The method is case-sensitive and not normalized (§2.2.1).
      return request.method;
    case '@authority':
      return request.authority.toLowerCase();
    case '@path':
      return request.path === '' ? '/' : request.path;
    case '@query':
      return request.query.startsWith('?') ? request.query : `?${request.query}`;
    default: {
      if (name.startsWith('@') || name !== name.toLowerCase()) return undefined;
      const value = request.headers[name];
      if (value === undefined) return undefined;
      return (typeof value === 'string' ? [value] : value).map((v) => v.trim()).join(', ');
    }
  }
}

/** The `@signature-params` value, which is also the Signature-Input member's serialization. */
export function signatureParams(covered: readonly string[], params: Parameters): string {
  return serializeInnerList([covered.map((name) => [name, new Map()]), params]);
}

/** Throws MissingComponent for a covered component the request lacks or one that would break the line format. */
export function signatureBase(covered: readonly string[], params: string, request: HttpRequestParts): string {
  return messageSignatureBase(covered, params, (name) => componentValue(name, request));
}

/**
 * The RFC 9421 base over any message: one `"name": value` line per covered component, then the
 * signature parameters. The transport says what a component's value is (HTTP: method, path,
 * headers; another transport: its topic and properties), so every transport signs the same way.
 */
export function messageSignatureBase(covered: readonly string[], params: string, component: (name: string) => string | undefined): string {
  const lines = covered.map((name) => {
    const value = component(name);
    // A line break inside a value would let one component impersonate another line of the base.
    if (value === undefined || /[\r\n]/.test(value)) throw new MissingComponent(`the request has no usable "${name}"`);
    return `"${name}": ${value}`;
  });
  lines.push(`"@signature-params": ${params}`);
  return lines.join('\n');
}
