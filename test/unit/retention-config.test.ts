// The retention section of the configuration: defaults, environment overrides, refusals; and
// the cutoffs a purge derives from it.

import { describe, expect, it } from 'vitest';
import { loadConfig, validateConfig } from '../../engine/config.js';
import { VigilError } from '../../engine/errors.js';
import { purgeCutoffs } from '../../engine/store/retention.js';
import { thrown } from '../helpers/thrown.js';

const refusal = (fn: () => unknown) => thrown(fn, VigilError);
const DAY = 86_400_000;

describe('retention config', () => {
  it('has defaults: sightings 30 days, hits a year, audit two years, hourly, rules at once', () => {
    expect(validateConfig({}).retention).toEqual({
      detectionsDays: 30,
      hitsDays: 365,
      auditDays: 730,
      purgeIntervalMinutes: 60,
      expiredRulesGraceDays: 0,
    });
  });

  it('takes each key from the environment, over the file', () => {
    const c = loadConfig(undefined, {
      VIGIL_RETENTION_DETECTIONS_DAYS: '7',
      VIGIL_RETENTION_HITS_DAYS: '90',
      VIGIL_RETENTION_AUDIT_DAYS: '3650',
      VIGIL_RETENTION_PURGE_INTERVAL_MINUTES: '15',
      VIGIL_RETENTION_EXPIRED_RULES_GRACE_DAYS: '2',
    });
    expect(c.retention).toEqual({ detectionsDays: 7, hitsDays: 90, auditDays: 3650, purgeIntervalMinutes: 15, expiredRulesGraceDays: 2 });
  });

  it('refuses bad values, naming the key and the variable that set it', () => {
    expect(refusal(() => validateConfig({ retention: { hitsDays: 0 } })).message).toContain("'retention.hitsDays' must be > 0");
    expect(refusal(() => validateConfig({ retention: { auditDays: -1 } })).message).toContain("'retention.auditDays' must be > 0");
    expect(refusal(() => validateConfig({ retention: { purgeIntervalMinutes: 2000 } })).message).toContain(
      "'retention.purgeIntervalMinutes' must be <= 1440",
    );
    expect(refusal(() => validateConfig({ retention: { expiredRulesGraceDays: -1 } })).message).toContain(
      "'retention.expiredRulesGraceDays' must be >= 0",
    );
    expect(refusal(() => loadConfig(undefined, { VIGIL_RETENTION_HITS_DAYS: '0' })).message).toContain(
      "'retention.hitsDays' must be > 0 (from VIGIL_RETENTION_HITS_DAYS)",
    );
    expect(refusal(() => loadConfig(undefined, { VIGIL_RETENTION_AUDIT_DAYS: 'forever' })).message).toBe(
      "invalid configuration: VIGIL_RETENTION_AUDIT_DAYS must be a whole number, got 'forever'",
    );
    expect(refusal(() => validateConfig({ retention: { keepDays: 3 } })).message).toContain("unknown key 'retention.keepDays'");
  });
});

describe('purgeCutoffs', () => {
  it('is now minus each retention, in days of 24 hours', () => {
    const now = Date.UTC(2026, 10, 28, 12);
    const c = purgeCutoffs(
      { detectionsDays: 30, hitsDays: 365, auditDays: 730, purgeIntervalMinutes: 60, expiredRulesGraceDays: 0.5 },
      now,
    );
    expect(c).toEqual({ sightings: now - 30 * DAY, hits: now - 365 * DAY, audit: now - 730 * DAY, rules: now - DAY / 2 });
  });
});
