/**
 * Typed domain errors. Each carries a stable machine-readable `code` (used by the CLI's one-line
 * errors and, later, by the HTTP problem+json mapper) and never embeds biometric data in its message.
 */
export abstract class FacekeyError extends Error {
  abstract readonly code: string;
  /** HTTP status a transport should map this error to. */
  abstract readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

export class InvalidImage extends FacekeyError {
  readonly code = 'invalid_image';
  readonly status = 422;
}

export class ImageTooLarge extends FacekeyError {
  readonly code = 'image_too_large';
  readonly status = 413;
}

export class FaceNotFound extends FacekeyError {
  readonly code = 'face_not_found';
  readonly status = 422;
}

export class MultipleFaces extends FacekeyError {
  readonly code = 'multiple_faces';
  readonly status = 422;
}

export class QualityTooLow extends FacekeyError {
  readonly code = 'quality_too_low';
  readonly status = 422;
}

export class SpoofSuspected extends FacekeyError {
  readonly code = 'spoof_suspected';
  readonly status = 422;
}

export class EngineMismatch extends FacekeyError {
  readonly code = 'engine_mismatch';
  readonly status = 409;
}

/**
 * A device sent a template of an engine its tenant no longer matches with: the device must update
 * its engine. The problem body names the tenant's active engine (`activeEngineId`, `activeEngineVersion`).
 */
export class EngineOutdated extends FacekeyError {
  readonly code = 'engine_outdated';
  readonly status = 409;
}

export class UnknownEngine extends FacekeyError {
  readonly code = 'unknown_engine';
  readonly status = 400;
}

export class InvalidTemplate extends FacekeyError {
  readonly code = 'invalid_template';
  readonly status = 422;
}

export class Overloaded extends FacekeyError {
  readonly code = 'overloaded';
  readonly status = 503;
}

/** The MQTT broker refused or did not confirm a change of a device's credentials or rights. */
export class BrokerAccessFailed extends FacekeyError {
  readonly code = 'broker_access_failed';
  readonly status = 502;
}

export class InvalidArgument extends FacekeyError {
  readonly code = 'invalid_argument';
  readonly status = 400;
}

export class NotCalibrated extends FacekeyError {
  readonly code = 'not_calibrated';
  readonly status = 409;
}

export class Unauthorized extends FacekeyError {
  readonly code = 'unauthorized';
  readonly status = 401;
}

export class Forbidden extends FacekeyError {
  readonly code = 'forbidden';
  readonly status = 403;
}

export class NotFound extends FacekeyError {
  readonly code = 'not_found';
  readonly status = 404;
}

export class RateLimited extends FacekeyError {
  readonly code = 'rate_limited';
  readonly status = 429;
}

export class ConsentMissing extends FacekeyError {
  readonly code = 'consent_missing';
  readonly status = 422;
}

export class Conflict extends FacekeyError {
  readonly code = 'conflict';
  readonly status = 409;
}

/**
 * Enrollment: the sample is not of the person the subject's templates (or the rest of its batch)
 * show. 409: the request is well formed but conflicts with the subject's current state.
 */
export class IdentityMismatch extends FacekeyError {
  readonly code = 'identity_mismatch';
  readonly status = 409;
}

/** Enrollment: the face already belongs to another subject of the tenant (an admin may override, audited). */
export class DuplicateIdentity extends FacekeyError {
  readonly code = 'duplicate_identity';
  readonly status = 409;
}

/**
 * A liveness session that cannot be answered by this request: unknown to this terminal, expired or
 * already used (`details.reason` says which, as checkout's decline reasons do). Checkout declines
 * with the reason; a kiosk enrollment, which has no decision to answer with, is refused.
 */
export class LivenessSessionRefused extends FacekeyError {
  readonly code = 'liveness_session_refused';
  readonly status = 409;
}

/**
 * Frames streamed to a liveness session beyond its bounds (how many, how many bytes): a kiosk
 * following one shopper through one challenge never needs them; a device sending more is misbehaving.
 */
export class SessionFramesExceeded extends FacekeyError {
  readonly code = 'session_frames_exceeded';
  readonly status = 413;
}
