// The canonical text ignores how an engine prints a value, never the value itself.
import { describe, expect, it } from 'vitest';
import { canonical } from '../src/fingerprint.js';

describe('canonical', () => {
  it("reads DuckDB's decimals without whole digits exactly, as PostgreSQL prints them", () => {
    const decimal = { kind: 'decimal', precision: 18, scale: 18 };
    expect(canonical(decimal, '.999999999999999999')).toBe(canonical(decimal, '0.999999999999999999'));
    expect(canonical(decimal, '.999999999999999999')).toBe('0.999999999999999999');
    expect(canonical(decimal, '-.000000000000000001')).toBe('-0.000000000000000001');
    expect(canonical(decimal, '.999999999999999999')).not.toBe(canonical(decimal, '1'));
  });

  it('prints dates before year 1 alike', () => {
    expect(canonical({ kind: 'date' }, '4001-01-01 (BC)')).toBe(canonical({ kind: 'date' }, '4001-01-01 BC'));
    expect(canonical({ kind: 'date' }, '4001-01-01')).not.toBe(canonical({ kind: 'date' }, '4001-01-01 BC'));
  });
});
