/**
 * What the published contract says about each operation beyond its request schema: a summary, a
 * stable operationId and the success statuses. Kept in one table, so routes stay thin and the
 * contract test fails when a route is added without an entry here.
 */
export interface OperationDoc {
  readonly summary: string;
  readonly operationId: string;
  /** Success statuses the route answers with (an idempotent replay answers 200 where a create answers 201). */
  readonly success: readonly number[];
}

export const OPERATIONS: Readonly<Record<string, OperationDoc>> = {
  'GET /health': { summary: 'Liveness of the process', operationId: 'getHealth', success: [200] },
  'GET /ready': { summary: 'Readiness: models loaded, store reachable', operationId: 'getReadiness', success: [200] },
  'GET /.well-known/jwks.json': { summary: 'Public keys that verify checkout assertions', operationId: 'getJwks', success: [200] },
  'POST /v1/tenants': { summary: 'Create a tenant (operator)', operationId: 'createTenant', success: [201] },
  'POST /v1/tenants/{tenantId}/api-keys': { summary: "Issue an API key for a tenant", operationId: 'issueApiKey', success: [201] },
  'DELETE /v1/api-keys/{keyId}': { summary: 'Revoke an API key', operationId: 'revokeApiKey', success: [204] },
  'POST /v1/subjects': { summary: 'Create a subject under an active consent', operationId: 'createSubject', success: [201] },
  'GET /v1/subjects': { summary: "List the tenant's subjects", operationId: 'listSubjects', success: [200] },
  'GET /v1/subjects/{id}': { summary: 'Get a subject', operationId: 'getSubject', success: [200] },
  'DELETE /v1/subjects/{id}': { summary: 'Erase a subject and its templates', operationId: 'eraseSubject', success: [204] },
  'GET /v1/consent-texts': { summary: 'Consent texts by version', operationId: 'listConsentTexts', success: [200] },
  'POST /v1/consents': { summary: 'Record a consent and get its signed receipt', operationId: 'grantConsent', success: [201] },
  'GET /v1/consents/{id}': { summary: 'Get a consent', operationId: 'getConsent', success: [200] },
  'POST /v1/subjects/{id}/opt-out': { summary: 'Withdraw consent (all or some purposes)', operationId: 'optOut', success: [200] },
  'GET /v1/subjects/{id}/export': { summary: "Export a subject's data (access request)", operationId: 'exportSubject', success: [200] },
  'POST /v1/subjects/{id}/tokens': { summary: 'Link a network payment token', operationId: 'linkToken', success: [204] },
  'DELETE /v1/subjects/{id}/tokens/{tokenRef}': { summary: 'Unlink a network payment token', operationId: 'unlinkToken', success: [204] },
  'PUT /v1/subjects/{id}/second-factors/{kind}': { summary: 'Set a second factor', operationId: 'setSecondFactor', success: [204] },
  'POST /v1/subjects/{id}/templates': { summary: 'Enroll one sample', operationId: 'enrollSample', success: [200, 201] },
  'POST /v1/subjects/{id}/templates/batch': { summary: 'Enroll several samples at once', operationId: 'enrollBatch', success: [200] },
  'POST /v1/verify': { summary: '1:1 verification against a subject', operationId: 'verify', success: [200] },
  'POST /v1/identify': { summary: "1:N identification in the tenant's gallery", operationId: 'identify', success: [200] },
  'POST /v1/terminals': { summary: 'Register a terminal and its Ed25519 key', operationId: 'registerTerminal', success: [201] },
  'GET /v1/terminals': { summary: "List the tenant's terminals", operationId: 'listTerminals', success: [200] },
  'DELETE /v1/terminals/{id}': { summary: 'Revoke a terminal', operationId: 'revokeTerminal', success: [204] },
  'GET /v1/risk-policy': { summary: "Get the tenant's risk policy", operationId: 'getRiskPolicy', success: [200] },
  'PUT /v1/risk-policy': { summary: "Change the tenant's risk policy", operationId: 'setRiskPolicy', success: [200] },
  'GET /v1/engines': { summary: 'Face engines: version, calibration and provenance', operationId: 'listEngines', success: [200] },
  'PUT /v1/tenants/{tenantId}/engine': { summary: "Choose a tenant's active engine", operationId: 'setTenantEngine', success: [200] },
  'GET /v1/engine-migration': { summary: "Progress of the tenant's subjects to its active engine", operationId: 'getEngineMigration', success: [200] },
  'POST /v1/checkout': { summary: 'Pay by face from a signed terminal', operationId: 'checkout', success: [200] },
  'POST /v1/liveness-sessions': {
    summary: 'Start a liveness challenge session for a signed terminal',
    operationId: 'startLivenessSession',
    success: [201],
  },
  'POST /v1/liveness-sessions/{id}/frames': {
    summary: "Stream frames of the shopper's answer to a checkout's liveness session while they perform",
    operationId: 'streamSessionFrames',
    success: [200],
  },
  'POST /v1/liveness-sessions/{id}/evidence': {
    summary: "Stream an enrollment kiosk's own analyses of the frames (landmarks, no image) to its liveness session while the shopper performs",
    operationId: 'streamSessionEvidence',
    success: [200],
  },
  'POST /v1/kiosk/enrollments': { summary: 'Enroll a consumer at a signed enrollment kiosk', operationId: 'kioskEnroll', success: [201] },
  'POST /v1/kiosk/enrollments/{subjectId}/tokens': {
    summary: "Link the consumer's card token from the enrolling kiosk (15 minutes)",
    operationId: 'kioskLinkToken',
    success: [204],
  },
  'PUT /v1/kiosk/enrollments/{subjectId}/pin': { summary: "Set the consumer's PIN from the enrolling kiosk (15 minutes)", operationId: 'kioskSetPin', success: [204] },
  'POST /v1/privacy/sessions': { summary: 'Sign in to the privacy portal with a privacy code', operationId: 'privacySignIn', success: [201] },
  'DELETE /v1/privacy/sessions/current': { summary: 'Sign out of the privacy portal', operationId: 'privacySignOut', success: [204] },
  'GET /v1/privacy/me': { summary: 'Everything held about the signed-in consumer', operationId: 'privacyExport', success: [200] },
  'GET /v1/privacy/me/receipts': { summary: "The signed-in consumer's signed receipts", operationId: 'privacyReceipts', success: [200] },
  'POST /v1/privacy/me/opt-out': { summary: 'Withdraw purposes or leave entirely (erasure receipt)', operationId: 'privacyOptOut', success: [200] },
  'POST /v1/console/sessions': {
    summary: 'Sign in to the merchant console: an API key becomes an HttpOnly session cookie',
    operationId: 'signInToConsole',
    success: [201],
  },
  'DELETE /v1/console/sessions/current': { summary: "End the cookie's console session", operationId: 'signOutOfConsole', success: [204] },
  'GET /v1/console/overview': {
    summary: 'Gallery, subjects, terminals and checkouts over the last days',
    operationId: 'getConsoleOverview',
    success: [200],
  },
  'GET /v1/console/accuracy': {
    summary: "The tenant's engine: calibrated thresholds, DET curve and provenance",
    operationId: 'getConsoleAccuracy',
    success: [200],
  },
  'GET /v1/console/audit': { summary: 'Verify the audit chain now', operationId: 'verifyAuditChain', success: [200] },
  'GET /v1/web-config': {
    summary: 'What the web apps read first: network URL, engine, currency, languages',
    operationId: 'getWebConfig',
    success: [200],
  },
};
