import type { BiometricStore } from '../store/biometric-store.js';
import type { SqlDatabase } from '../store/sql/sql-database.js';
import type { FaceService } from '../pipeline/face-service.js';
import type { TemplateSpec } from '../templates/template.js';
import { EngineGalleries } from '../biometrics/engine-galleries.js';
import { TenantEngines } from '../biometrics/tenant-engines.js';
import { EngineCatalog } from '../biometrics/engine-catalog.js';
import { BiometricService, DEFAULT_BIOMETRIC_POLICY } from '../biometrics/biometric-service.js';
import { Calibration } from '../matcher/calibration/calibration-table.js';
import { TieredIndex } from '../matcher/index/tiered-index.js';
import { AuditLog } from '../audit/audit-log.js';
import { ConsentStore } from '../consent/consent-store.js';
import { ConsentService } from '../consent/consent-service.js';
import { requireActiveConsent } from '../consent/require-active-consent.js';
import { PaymentStore } from '../payments/payment-store.js';
import { SecondFactorLookup } from '../payments/second-factor.js';
import { SigningKeys } from '../signing/signing-keys.js';
import { AssertionIssuer } from '../checkout/assertion-issuer.js';
import { SessionFrames } from '../checkout/session-frames.js';
import { CheckoutService } from '../checkout/checkout-service.js';
import { WalletService } from '../payments/wallet-service.js';
import { DEFAULT_RISK_SETTINGS, type RiskSettings } from '../checkout/risk-policy.js';
import { RiskPolicies } from '../checkout/risk-policies.js';
import { OrderHistory } from '../personalization/order-history.js';
import { ReceiptSigner } from '../consent/receipt-signer.js';
import { TerminalRegistry } from '../devices/terminal-registry.js';
import { NonceStore } from '../devices/nonce-store.js';
import { migrateDevices } from '../devices/device-migrations.js';
import { LivenessSessions, type LivenessSessionPolicy } from '../devices/liveness-sessions.js';
import { migrateLivenessSessions } from '../devices/liveness-session-migrations.js';
import { PrivacyCodes } from '../consent/privacy-codes.js';
import { migratePrivacy } from '../consent/privacy-migrations.js';
import { PrivacyPortal } from '../consent/privacy-portal.js';
import { KioskEnrollmentRecords } from '../kiosk/kiosk-enrollment-records.js';
import { KioskEnrollmentService } from '../kiosk/kiosk-enrollment.js';
import { ConsoleSessions } from '../auth/console-sessions.js';
import { MerchantOverviews } from '../checkout/merchant-overview.js';

export interface PlatformSettings {
  /** The `iss` of assertions: facekey's public base URL. */
  readonly issuer: string;
  readonly retentionDays: number;
  /** Hours an enrollment photo is kept, sealed; 0 or absent keeps none. */
  readonly imageRetentionHours?: number;
  readonly risk?: Partial<RiskSettings>;
  readonly calibration?: Calibration;
  readonly clock?: () => Date;
  /** Challenge sessions: lifetime (≤ 180 s) and actions per challenge. */
  readonly livenessSessions?: Partial<LivenessSessionPolicy>;
}

export interface PlatformParts {
  readonly store: BiometricStore;
  readonly sql: SqlDatabase;
  readonly faces: FaceService;
  /** The platform's engine (FACEKEY_ENGINE): every tenant's unless it chose another. */
  readonly engine: TemplateSpec;
  /**
   * Other engines the face service runs (FACEKEY_FALLBACK_ENGINES): a tenant may choose one, and
   * subjects enrolled with one keep matching until they are migrated to their tenant's engine.
   */
  readonly otherEngines?: readonly TemplateSpec[];
  readonly masterKey: Buffer;
}

export type Platform = Awaited<ReturnType<typeof composePlatform>>;

/**
 * Builds every domain service over one biometric store and one SQL database, migrating the domain
 * tracks first. The service, the tests and the benchmarks all compose the platform here, so what
 * is tested is what runs.
 */
export async function composePlatform(parts: PlatformParts, settings: PlatformSettings) {
  const { store, sql, faces, engine, masterKey } = parts;
  const clock = settings.clock ?? (() => new Date());
  const audit = new AuditLog(sql, clock);
  const consents = new ConsentStore(sql);
  const payments = new PaymentStore(sql);
  const orders = new OrderHistory(sql);
  const terminals = new TerminalRegistry(sql, clock, audit);
  const nonces = new NonceStore(sql, clock);
  await audit.migrate();
  await consents.migrate();
  await payments.migrate();
  await orders.migrate();
  await migrateDevices(sql);
  const served = [engine, ...(parts.otherEngines ?? []).filter((e) => e.id !== engine.id || e.version !== engine.version)];
  const tenantEngines = new TenantEngines(sql, served, audit, clock);
  await tenantEngines.migrate();
  await migrateLivenessSessions(sql);
  await migratePrivacy(sql);
  const privacyCodes = new PrivacyCodes(sql, masterKey, clock);
  const kioskRecords = new KioskEnrollmentRecords(sql);
  await kioskRecords.migrate();
  const consoleSessions = new ConsoleSessions(sql, clock);
  await consoleSessions.migrate();
  const livenessSessions = new LivenessSessions(sql, settings.livenessSessions, clock);

  const calibration = settings.calibration ?? Calibration.load();
  const engines = new EngineCatalog(calibration, served);
  const galleries = EngineGalleries.create(served, (dimension) => new TieredIndex({ dimension }));
  const biometrics = new BiometricService(
    store,
    faces,
    calibration,
    galleries,
    engine,
    { ...DEFAULT_BIOMETRIC_POLICY, imageRetentionHours: settings.imageRetentionHours ?? DEFAULT_BIOMETRIC_POLICY.imageRetentionHours },
    {
      audit,
      clock,
      engines: tenantEngines,
      requireConsent: (tenantId, consentId) => requireActiveConsent(consents, tenantId, consentId, 'payment'),
    },
  );

  const signingKeys = new SigningKeys(sql, masterKey);
  await signingKeys.current();
  const receipts = new ReceiptSigner(signingKeys, settings.issuer);
  const secondFactors = new SecondFactorLookup(masterKey);
  const consent: ConsentService = new ConsentService({
    consents,
    store,
    biometrics,
    payments,
    orders,
    audit,
    receipts,
    retentionDays: settings.retentionDays,
    // The privacy portal is built on this service: its sessions are reached when an erasure runs, never before.
    subjectRecords: [privacyCodes, kioskRecords, { eraseSubject: (tenantId: string, subjectId: string): Promise<number> => privacyPortal.eraseSubject(tenantId, subjectId) }],
    clock,
  });
  const privacyPortal: PrivacyPortal = new PrivacyPortal({ db: sql, codes: privacyCodes, consent, consents, receipts, audit, clock });
  const wallet = new WalletService({ consent, payments, secondFactors, audit, clock });
  const riskPolicies = new RiskPolicies(sql, { ...DEFAULT_RISK_SETTINGS, ...settings.risk }, audit, clock);
  const sessionFrames = new SessionFrames({
    sessions: livenessSessions,
    analyze: (image) => biometrics.analyzeStreamedFrame(image),
    judge: (frames, challenge) => biometrics.judgeAnalysedBurst(frames, challenge),
    clock,
  });
  const checkout = new CheckoutService({
    biometrics,
    consent,
    payments,
    secondFactors,
    orders,
    issuer: new AssertionIssuer(signingKeys, settings.issuer, 120, clock),
    audit,
    risk: riskPolicies,
    livenessSessions,
    sessionFrames,
    clock,
  });
  const kioskEnrollment = new KioskEnrollmentService({
    biometrics,
    consent,
    consents,
    codes: privacyCodes,
    wallet,
    livenessSessions,
    sessionFrames,
    records: kioskRecords,
    audit,
    clock,
  });
  return {
    /** facekey's public base URL (the issuer): its scheme decides whether session cookies are Secure. */
    publicUrl: settings.issuer,
    kioskEnrollment,
    privacyPortal,
    store,
    sql,
    galleries,
    biometrics,
    consent,
    wallet,
    checkout,
    audit,
    terminals,
    nonces,
    signingKeys,
    riskPolicies,
    livenessSessions,
    sessionFrames,
    tenantEngines,
    engines,
    consoleSessions,
    overviews: new MerchantOverviews({ audit, store, galleries: biometrics, terminals, clock }),
  };
}
