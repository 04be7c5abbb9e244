/**
 * facekey's profile of RFC 9421 for terminal requests: what a terminal must sign and how the
 * signature is labelled, agreed by terminal-client.ts and verify-terminal-request.ts.
 */

/** The `tag` parameter: names the application, so a signature made for another protocol with the same key is never accepted here. */
export const TERMINAL_SIGNATURE_TAG = 'facekey-terminal';
export const TERMINAL_SIGNATURE_ALG = 'ed25519';
/** The Signature / Signature-Input dictionary key the terminal client uses; verifiers select by tag instead. */
export const TERMINAL_SIGNATURE_LABEL = 'terminal';

/** Always covered. `content-type` is covered too whenever the request has one or has a body. */
export const REQUIRED_COMPONENTS = ['@method', '@authority', '@path', '@query', 'content-digest'] as const;

/** A nonce is 128 random bits as base64url (22 characters); the bounds only keep stored rows small and sane. */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
