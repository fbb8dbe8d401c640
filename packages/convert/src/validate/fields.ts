// Field checks for the order contract. Each returns the normalized value or records a message that
// names the field, what was expected and what was found, so a reject tells the user what to fix.

export class Problems {
  readonly messages: string[] = [];

  add(path: string, message: string): undefined {
    this.messages.push(`${path}: ${message}`);
    return undefined;
  }
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

function missing(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

export function requiredId(value: unknown, path: string, problems: Problems): number | undefined {
  if (missing(value)) return problems.add(path, `is missing or empty; every record needs one`);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    return problems.add(path, `expected a positive whole number (at most 2^53-1), got ${describe(value)}`);
  }
  return value;
}

export function requiredInteger(
  value: unknown,
  path: string,
  problems: Problems,
  { min, max }: { min: number; max: number },
): number | undefined {
  if (missing(value)) return problems.add(path, 'is missing');
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    return problems.add(path, `expected a whole number from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

export function requiredText(
  value: unknown,
  path: string,
  problems: Problems,
  maxLength = 1000,
): string | undefined {
  if (missing(value)) return problems.add(path, 'is missing or empty');
  if (typeof value !== 'string') return problems.add(path, `expected text, got ${describe(value)}`);
  if (value.length > maxLength) return problems.add(path, `is longer than ${maxLength} characters`);
  if (!value.isWellFormed())
    return problems.add(path, 'contains a broken UTF-16 surrogate; export the file as valid UTF-8');
  return value;
}

export function optionalText(value: unknown, path: string, problems: Problems): string | null | undefined {
  if (missing(value)) return null;
  return requiredText(value, path, problems);
}

export function requiredBoolean(value: unknown, path: string, problems: Problems): boolean | undefined {
  if (typeof value === 'boolean') return value;
  return problems.add(path, `expected true or false, got ${describe(value)}`);
}

export function oneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
  path: string,
  problems: Problems,
): T | undefined {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  return problems.add(path, `expected one of ${allowed.join(', ')}, got ${describe(value)}`);
}

export function matching(value: unknown, pattern: RegExp, what: string, path: string, problems: Problems) {
  if (typeof value === 'string' && pattern.test(value) && value.isWellFormed()) return value;
  return problems.add(path, `expected ${what}, got ${describe(value)}`);
}

/** Largest magnitude that fits DECIMAL(12,2), in cents. */
export const MAX_CENTS = 10 ** 12 - 1;

const ZERO = 48;
const NINE = 57;
const DOT = 46;
const MINUS = 45;

// Cents of text in the form -?digits(.d or .dd), or undefined. A hand-written scan: this runs for
// every money field of every record, where a regular expression with captures allocates.
function plainCents(text: string): number | undefined {
  const negative = text.charCodeAt(0) === MINUS;
  let i = negative ? 1 : 0;
  let whole = 0;
  const start = i;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < ZERO || code > NINE) break;
    whole = whole * 10 + (code - ZERO);
  }
  if (i === start || i - start > 15) return undefined;
  let cents = whole * 100;
  if (i < text.length) {
    if (text.charCodeAt(i) !== DOT) return undefined;
    const decimals = text.length - i - 1;
    if (decimals < 1 || decimals > 2) return undefined;
    for (let d = 1; d <= decimals; d++) {
      const code = text.charCodeAt(i + d);
      if (code < ZERO || code > NINE) return undefined;
      cents += (code - ZERO) * (d === 1 ? 10 : 1);
    }
  }
  return negative ? -cents : cents;
}

/** Money as decimal text or a JSON number with at most two decimal places; returns cents. */
export function money(value: unknown, path: string, problems: Problems): number | undefined {
  if (missing(value)) return problems.add(path, 'is missing');
  if (typeof value !== 'string' && typeof value !== 'number') {
    return problems.add(path, `expected a decimal amount such as "12.34", got ${describe(value)}`);
  }
  // A JSON number prints back to its shortest exact text, so 12.3 is checked as "12.3", not 12.299…
  const text = String(value);
  const cents = plainCents(text);
  if (cents === undefined) {
    const decimals = /^-?\d+\.(\d{3,})$/.exec(text);
    return decimals
      ? problems.add(
          path,
          `has ${decimals[1]?.length} decimal places, money takes at most 2: ${describe(value)}`,
        )
      : problems.add(
          path,
          `is not a plain decimal amount (no currency signs or thousands separators): ${describe(value)}`,
        );
  }
  if (Math.abs(cents) > MAX_CENTS)
    return problems.add(path, `is too large for DECIMAL(12,2): ${describe(value)}`);
  return cents;
}

const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:?\d{2})$/;
const EARLIEST = Date.UTC(1900, 0, 1);
const LATEST = Date.UTC(10000, 0, 1);
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
}

/** ISO-8601 timestamp with an explicit zone; returns microseconds since the epoch, UTC. */
export function timestamp(value: unknown, path: string, problems: Problems): number | undefined {
  const expected = 'an ISO-8601 timestamp with a zone such as "2025-11-13T09:12:44Z"';
  if (missing(value)) return problems.add(path, `is missing; expected ${expected}`);
  const parts = typeof value === 'string' ? ISO_TIMESTAMP.exec(value) : null;
  if (!parts) return problems.add(path, `expected ${expected}, got ${describe(value)}`);
  const year = Number(parts[1]);
  const month = Number(parts[2]);
  const day = Number(parts[3]);
  const hour = Number(parts[4]);
  const minute = Number(parts[5]);
  const second = Number(parts[6]);
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return problems.add(path, `is not a real date and time: ${describe(value)}`);
  }
  // Date.UTC reads years below 100 as 19xx, so those are refused before it runs.
  if (year < 1900) return problems.add(path, `is outside the years 1900–9999 in UTC: ${describe(value)}`);
  const zone = parts[8] ?? 'Z';
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const digits = zone.replace(':', '');
    const hours = Number(digits.slice(1, 3));
    const minutes = Number(digits.slice(3, 5));
    if (hours > 18 || minutes > 59)
      return problems.add(path, `has an impossible zone offset ${zone}: ${describe(value)}`);
    offsetMinutes = (hours * 60 + minutes) * (digits[0] === '-' ? -1 : 1);
  }
  const millis = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000;
  if (millis < EARLIEST || millis >= LATEST) {
    return problems.add(path, `is outside the years 1900–9999 in UTC: ${describe(value)}`);
  }
  const fraction = parts[7];
  return millis * 1000 + (fraction ? Number(fraction.padEnd(6, '0')) : 0);
}
