/**
 * facekey/terminal: what a terminal maker needs to pay by face from code. Keys (Ed25519, PKCS#8 or
 * JWK), RFC 9421 request signing under facekey's profile, a typed checkout client, terminal
 * registration for the tenant's admin, and one typed error.
 */
export {
  generateTerminalKeyPair,
  terminalPublicJwk,
  exportTerminalPrivateKey,
  importTerminalPrivateKey,
  type TerminalKeyPair,
  type Ed25519PublicJwk,
  type PrivateKeyFormat,
} from './terminal-keys.js';
export {
  signTerminalRequest,
  signedFetch,
  type RequestToSign,
  type TerminalCredentials,
  type SigningOptions,
  type TerminalSignatureHeaders,
  type SignedFetchInit,
} from '../devices/terminal-client.js';
export { TerminalClient, type TerminalClientOptions } from './terminal-client.js';
export {
  registerTerminal,
  type AdminConnection,
  type RegisteredTerminal,
  type TerminalKind,
  type TerminalRegistration,
} from './register-terminal.js';
export {
  checkoutRequestBody,
  type BasketItem,
  type CheckoutEvidence,
  type CheckoutOrder,
  type CheckoutOutcome,
  type CheckoutProbe,
  type CheckoutReason,
  type CheckoutRequest,
  type CheckoutRequestBody,
  type CheckoutResponse,
  type LivenessSessionResponse,
  type SecondFactorKind,
} from './checkout-types.js';
export {
  FacekeyClientError,
  CLIENT_ERROR_CODES,
  type ClientErrorCode,
  type FacekeyErrorCode,
  type ProblemDocument,
  type ServiceErrorCode,
} from './facekey-client-error.js';
export type { FetchFunction } from './call-facekey.js';
