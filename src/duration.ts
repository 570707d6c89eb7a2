import { UsageError } from './errors.js';

const NS_PER: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** `800ns`, `250us`, `5ms`, `1.5s`, `2m`, `1h`; a bare number is in `bareUnit`. Returns nanoseconds. */
export function parseDurationNs(text: string, bareUnit: 'ms' | 's'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|h)?\s*$/.exec(text);
  if (!m) throw new UsageError(`bad duration "${text}" (examples: 5ms, 250us, 10s, 2m)`);
  return Math.round(Number(m[1]) * NS_PER[m[2] ?? bareUnit]!);
}
