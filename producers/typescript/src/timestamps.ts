/** `submitted_at`: RFC 3339 with an offset, as the contract reads it and writes it back. */

// RFC 3339 date-time (the JSON Schema "date-time" format), "T"/"Z" in either case.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|([+-])(\d{2}):(\d{2}))$/;
// The same without an offset, or a date alone: well formed, but naive.
const NAIVE = /^\d{4}-\d{2}-\d{2}(?:[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?)?$/;

export const INVALID_DATE_TIME = "Input should be a valid datetime";
export const NAIVE_DATE_TIME = "must include a UTC offset";

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * The timestamp as Python's contract writes it (microseconds, "Z" for a zero offset), or an
 * error message. Only what both RFC 3339 and the Python contract accept passes: no leap second
 * (Python has none), no year 0.
 */
export function normalizeTimestamp(value: string): { value: string } | { error: string } {
  const match = DATE_TIME.exec(value);
  if (match === null) return { error: NAIVE.test(value) ? NAIVE_DATE_TIME : INVALID_DATE_TIME };
  const [, year, month, day, hour, minute, second, fraction, , sign, offsetHour, offsetMinute] =
    match as unknown as string[];
  const numbers = [year, month, day, hour, minute, second].map(Number) as number[];
  const [y, mo, d, h, mi, s] = numbers as [number, number, number, number, number, number];
  const offsetOk =
    sign === undefined || (Number(offsetHour) <= 23 && Number(offsetMinute) <= 59);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo)) return { error: INVALID_DATE_TIME };
  if (h > 23 || mi > 59 || s > 59 || !offsetOk) return { error: INVALID_DATE_TIME };
  const micro = (fraction ?? "").slice(0, 6).padEnd(6, "0");
  const zero = sign === undefined || (Number(offsetHour) === 0 && Number(offsetMinute) === 0);
  const offset = zero ? "Z" : `${sign}${offsetHour}:${offsetMinute}`;
  const frac = /^0+$/.test(micro) ? "" : `.${micro}`;
  return { value: `${year}-${month}-${day}T${hour}:${minute}:${second}${frac}${offset}` };
}

/** Now, in the form Python's producer sends (`datetime.now(UTC)`, microseconds). */
export function nowTimestamp(now: Date = new Date()): string {
  const iso = now.toISOString(); // 2026-11-25T12:00:00.123Z
  const millis = iso.slice(20, 23);
  return millis === "000" ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 19)}.${millis}000Z`;
}
