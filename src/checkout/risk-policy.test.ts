import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assessRisk, DEFAULT_RISK_SETTINGS, type RiskInput } from './risk-policy.js';

const one = [{ subjectId: 'alice', score: 0.8 }];
const base: RiskInput = {
  templatesSearched: 50,
  fmr: 1e-5,
  candidates: one,
  amount: 500,
  secondFactorChecked: false,
  livenessVerified: true,
  livenessChallenged: true,
};

describe('risk policy', () => {
  it('approves a single live match in a small gallery, with its expected false matches', () => {
    const decision = assessRisk(base, DEFAULT_RISK_SETTINGS);
    assert.equal(decision.outcome, 'approve');
    assert.equal(decision.outcome === 'approve' && decision.subjectId, 'alice');
    assert.ok(Math.abs(decision.expectedFalseMatches - 5e-4) < 1e-12);
  });

  it('asks for a second factor once gallery size × FMR exceeds the budget', () => {
    const decision = assessRisk({ ...base, templatesSearched: 1_000 }, DEFAULT_RISK_SETTINGS);
    assert.equal(decision.outcome, 'second_factor_required');
    assert.deepEqual(decision.reasons, ['second_factor_required', 'risk_budget_exceeded']);
  });

  it('never lets face alone choose between two look-alikes', () => {
    const decision = assessRisk({ ...base, candidates: [...one, { subjectId: 'bob', score: 0.79 }] }, DEFAULT_RISK_SETTINGS);
    assert.equal(decision.outcome, 'second_factor_required');
    assert.ok(decision.reasons.includes('look_alike'));
  });

  it('requires a second factor above the face-only amount and for probes without liveness evidence', () => {
    const over = assessRisk({ ...base, amount: DEFAULT_RISK_SETTINGS.faceOnlyAmountLimit + 1 }, DEFAULT_RISK_SETTINGS);
    assert.deepEqual(over.reasons, ['second_factor_required', 'limit_exceeded']);
    const device = assessRisk({ ...base, livenessVerified: false }, DEFAULT_RISK_SETTINGS);
    assert.deepEqual(device.reasons, ['second_factor_required', 'liveness_unverified']);
  });

  it('by default asks a second factor of a face that answered no liveness session, unless the tenant allows it', () => {
    const sessionless = assessRisk({ ...base, livenessChallenged: false }, DEFAULT_RISK_SETTINGS);
    assert.deepEqual(sessionless.reasons, ['second_factor_required', 'liveness_session_required']);
    const allowed = assessRisk({ ...base, livenessChallenged: false }, { ...DEFAULT_RISK_SETTINGS, allowSessionlessLiveness: true });
    assert.equal(allowed.outcome, 'approve');
    const device = assessRisk({ ...base, livenessVerified: false, livenessChallenged: false }, DEFAULT_RISK_SETTINGS);
    assert.deepEqual(device.reasons, ['second_factor_required', 'liveness_unverified'], 'a device template has no liveness of ours at all');
  });

  it('approves once the second factor narrows the look-alikes to one, and declines when it fits nobody', () => {
    const narrowed = assessRisk({ ...base, templatesSearched: 2, secondFactorChecked: true, amount: 50_000 }, DEFAULT_RISK_SETTINGS);
    assert.equal(narrowed.outcome, 'approve');
    const mismatch = assessRisk({ ...base, candidates: [], secondFactorChecked: true }, DEFAULT_RISK_SETTINGS);
    assert.deepEqual(mismatch, { outcome: 'decline', reasons: ['second_factor_mismatch'], expectedFalseMatches: 50 * 1e-5 });
    const ambiguous = assessRisk(
      { ...base, secondFactorChecked: true, candidates: [...one, { subjectId: 'bob', score: 0.7 }] },
      DEFAULT_RISK_SETTINGS,
    );
    assert.deepEqual(ambiguous.reasons, ['ambiguous_match']);
  });

  it('declines with no_match when nobody is above the threshold', () => {
    assert.deepEqual(assessRisk({ ...base, candidates: [] }, DEFAULT_RISK_SETTINGS).reasons, ['no_match']);
  });
});
