import type { BiometricStore } from '../store/biometric-store.js';
import type { BiometricService } from '../biometrics/biometric-service.js';
import type { ConsentService } from '../consent/consent-service.js';
import type { WalletService } from '../payments/wallet-service.js';
import type { CheckoutService } from '../checkout/checkout-service.js';
import type { RiskPolicies } from '../checkout/risk-policies.js';
import type { TerminalRegistry } from '../devices/terminal-registry.js';
import type { NonceClaims } from '../devices/nonce-store.js';
import type { SessionFrames } from '../checkout/session-frames.js';
import type { LivenessSessions } from '../devices/liveness-sessions.js';
import type { SigningKeys } from '../signing/signing-keys.js';
import type { AuditSink } from '../audit/audit-sink.js';
import type { EngineCatalog } from '../biometrics/engine-catalog.js';
import type { TenantEngines } from '../biometrics/tenant-engines.js';
import type { KioskEnrollmentService } from '../kiosk/kiosk-enrollment.js';
import type { PrivacyPortal } from '../consent/privacy-portal.js';
import type { AuditChainResult } from '../audit/verify-chain.js';
import type { ConsoleSessions } from '../auth/console-sessions.js';
import type { MerchantOverviews } from '../checkout/merchant-overview.js';

/**
 * The domain services the HTTP API serves, declared by the API itself so its contract does not
 * come from the wiring above it (server/compose-platform.ts builds a value of this shape).
 */
export interface ApiPlatform {
  readonly store: BiometricStore;
  readonly biometrics: BiometricService;
  readonly consent: ConsentService;
  readonly wallet: WalletService;
  readonly checkout: CheckoutService;
  readonly terminals: TerminalRegistry;
  readonly nonces: NonceClaims;
  /** Challenge sessions terminals ask for before they record a burst. */
  readonly livenessSessions: LivenessSessions;
  /** Frames checkout kiosks stream to their sessions while the shopper performs. */
  readonly sessionFrames: SessionFrames;
  readonly signingKeys: SigningKeys;
  readonly riskPolicies: RiskPolicies;
  /** Every engine, its calibration and provenance; and each tenant's active engine. */
  readonly engines: EngineCatalog;
  readonly tenantEngines: TenantEngines;
  /** Enrollment at a signed kiosk, and the kiosk's card and PIN follow-up. */
  readonly kioskEnrollment: KioskEnrollmentService;
  /** The consumer's privacy-code sessions: export, receipts, opt-out. */
  readonly privacyPortal: PrivacyPortal;
  /** facekey's public base URL; https makes session cookies Secure. */
  readonly publicUrl: string;
  /** Tenant and API-key administration is appended here; the console asks it to verify its chain. */
  readonly audit: AuditSink & { verifyNow(): Promise<AuditChainResult> };
  /** Merchant-console sign-in: API key → cookie session. */
  readonly consoleSessions: ConsoleSessions;
  /** The console's overview figures. */
  readonly overviews: MerchantOverviews;
}
