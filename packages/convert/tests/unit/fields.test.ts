import { describe, expect, it } from 'vitest';
import { money, Problems, timestamp } from '../../src/validate/fields.js';

function check<T>(fn: (value: unknown, path: string, problems: Problems) => T, value: unknown) {
  const problems = new Problems();
  return { result: fn(value, 'field', problems), problems: problems.messages };
}

describe('money', () => {
  it.each([
    ['12.34', 1234],
    ['12.3', 1230],
    ['12', 1200],
    ['0.05', 5],
    ['-4.50', -450],
    [19.99, 1999],
    [0.1, 10],
    ['9999999999.99', 999_999_999_999],
  ])('reads %j as %i cents', (value, cents) => {
    expect(check(money, value)).toEqual({ result: cents, problems: [] });
  });

  it.each([
    ['19.999', /3 decimal places/],
    ['$19.99', /no currency signs/],
    ['19,99 €', /no currency signs/],
    ['1,234.00', /thousands separators/],
    ['', /is missing/],
    [null, /is missing/],
    [true, /expected a decimal amount/],
    ['.5', /not a plain decimal/],
    ['10000000000.00', /too large for DECIMAL\(12,2\)/],
  ])('rejects %j', (value, message) => {
    const { result, problems } = check(money, value);
    expect(result).toBeUndefined();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
    expect(problems[0]).toMatch(/^field: /);
  });
});

describe('timestamp', () => {
  it.each([
    ['2025-11-13T09:12:44Z', Date.UTC(2025, 10, 13, 9, 12, 44) * 1000],
    ['2025-11-13T09:12:44.123Z', Date.UTC(2025, 10, 13, 9, 12, 44, 123) * 1000],
    ['2025-11-13T09:12:44.123456Z', Date.UTC(2025, 10, 13, 9, 12, 44) * 1000 + 123456],
    ['2025-11-13T11:12:44+02:00', Date.UTC(2025, 10, 13, 9, 12, 44) * 1000],
    ['2025-11-13 04:12:44-0500', Date.UTC(2025, 10, 13, 9, 12, 44) * 1000],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29) * 1000],
  ])('reads %s in microseconds UTC', (value, micros) => {
    expect(check(timestamp, value)).toEqual({ result: micros, problems: [] });
  });

  it.each([
    ['2025-02-30T10:00:00Z', /not a real date/],
    ['2025-02-29T10:00:00Z', /not a real date/],
    ['2025-11-13T24:00:00Z', /not a real date/],
    ['2025-11-13T09:12:44', /with a zone/],
    ['13/11/2025 09:12', /ISO-8601/],
    ['2025-11-13T09:12:44.1234567Z', /ISO-8601/],
    ['0099-01-01T00:00:00Z', /outside the years 1900–9999 in UTC/],
    ['9999-12-31T23:00:00-02:00', /outside the years 1900–9999 in UTC/],
    ['2025-11-13T09:12:44+99:99', /impossible zone offset \+99:99/],
    ['', /is missing/],
    [1731490000, /ISO-8601/],
  ])('rejects %j', (value, message) => {
    const { result, problems } = check(timestamp, value);
    expect(result).toBeUndefined();
    expect(problems[0]).toMatch(message);
  });
});
