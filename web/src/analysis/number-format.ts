// Numbers in the analysis tables: four significant digits (a coefficient of 0.000123 keeps its
// digits, one of 68.619 is not padded), a dash for what the API left out.

export function sig(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e6 || abs < 1e-4) return value.toExponential(digits - 1);
  return Number(value.toPrecision(digits)).toLocaleString('en-GB', { maximumFractionDigits: 12 });
}
