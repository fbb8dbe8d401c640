// Money travels as integer cents inside lakeload and as decimal text ("12.34") in files, so no value
// ever passes through a binary float.

export function formatCents(cents: number): string {
  if (!Number.isSafeInteger(cents)) throw new RangeError(`not a whole number of cents: ${cents}`);
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const units = Math.floor(abs / 100);
  const fraction = String(abs % 100).padStart(2, '0');
  return `${sign}${units}.${fraction}`;
}

/** `amount × rate` rounded half away from zero, rate given in basis points (1900 = 19 %). */
export function applyBasisPoints(cents: number, basisPoints: number): number {
  const product = cents * basisPoints;
  const rounded = Math.floor((Math.abs(product) + 5000) / 10000);
  return product < 0 ? -rounded : rounded;
}
