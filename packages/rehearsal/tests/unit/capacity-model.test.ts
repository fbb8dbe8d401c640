// The capacity model's arithmetic, on the real batch plan's statement counts.
import { describe, expect, it } from 'vitest';
import { capacity } from '../../src/capacity/model.js';

const base = {
  latency: { statementMs: 100, copyFileMs: 1000, commitMs: 300 },
  pollMs: 0,
  pollsPerStatement: 2,
  table: 'versioned' as const,
  quotas: { batchExecuteStatementTps: 20, executeStatementTps: 30, describeStatementTps: 100 },
};

describe('the Redshift capacity model', () => {
  it('counts the plan: a versioned batch of n files is 12 + 2n statements, n of them COPYs', () => {
    const estimate = capacity({ ...base, filesPerBatch: 14, tables: 1, concurrency: 2 });
    expect(estimate).toMatchObject({ statements: 40, copies: 14 });
    // 26 statements × 100 ms + 14 COPYs × 1 s + 300 ms commit.
    expect(estimate.lockedMs).toBe(16_900);
    expect(estimate.outsideMs).toBe(300);
    expect(estimate.bounds.tableLocks).toBeCloseTo(14_000 / 16_900, 6);
    expect(estimate.boundBy).toBe('tableLocks');
  });

  it('is bound by the Lambdas when fewer run than tables receive files', () => {
    const estimate = capacity({ ...base, filesPerBatch: 4, tables: 50, concurrency: 10 });
    // 12 + 2 × 4 statements, 4 of them COPYs.
    const locked = (20 - 4) * 100 + 4 * 1000 + 300;
    expect(estimate.lockedMs).toBe(locked);
    expect(estimate.filesPerSecond).toBeCloseTo((10 * 4 * 1000) / (locked + 300), 6);
    expect(estimate.boundBy).toBe('lambdas');
  });

  it('is bound by the Data API quotas with enough tables and Lambdas', () => {
    const estimate = capacity({ ...base, filesPerBatch: 1, tables: 10_000, concurrency: 1000 });
    // One file per batch: three ExecuteStatements each at 30 per second.
    expect(estimate.bounds.dataApi).toBeCloseTo(10, 6);
    expect(estimate.boundBy).toBe('dataApi');
  });
});
