/**
 * The one error a facekey client throws. Server refusals keep the service's stable problem+json
 * `code` (e.g. `unauthorized`, `signature_invalid`, `replay_detected`, `invalid_argument`); failures
 * on the client's side of the wire have codes of their own, so a caller can tell "the service said
 * no" from "the service could not be asked".
 */

/** Codes the client itself raises; every other code is the service's own. */
export const CLIENT_ERROR_CODES = ['unreachable', 'invalid_response', 'invalid_key', 'invalid_request'] as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

/** A subset of the service's codes a terminal is most likely to meet; the service may add others. */
export type ServiceErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'invalid_argument'
  | 'conflict'
  | 'rate_limited'
  | 'payload_too_large'
  | 'signature_missing'
  | 'signature_invalid'
  | 'signature_expired'
  | 'replay_detected'
  | 'device_unknown'
  | 'device_revoked'
  | 'overloaded'
  | 'internal_error';

// `string & {}` keeps editor completion for the known codes while admitting codes added later.
export type FacekeyErrorCode = ClientErrorCode | ServiceErrorCode | (string & {});

/** RFC 9457 problem details as facekey sends them. */
export interface ProblemDocument {
  readonly type?: string;
  readonly title?: string;
  readonly status: number;
  readonly code: string;
  readonly detail?: string;
  readonly [extension: string]: unknown;
}

export class FacekeyClientError extends Error {
  override readonly name = 'FacekeyClientError';

  constructor(
    readonly code: FacekeyErrorCode,
    message: string,
    /** The HTTP status; absent when no response came back. */
    readonly status?: number,
    readonly problem?: ProblemDocument,
  ) {
    super(message);
  }
}
