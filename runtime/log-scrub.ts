// What pino's redact paths cannot reach: they name fields at fixed depths ('password', '*.password'), so a secret
// one level deeper (log.info({ cfg: config() }) puts the SASL password at cfg.kafka.sasl.password) or inside a text
// (an error whose message quotes a credentialed URL) was printed as it was. Every log object passes through here
// first: fields with a secret's name are replaced at any depth, and every string, error messages and stacks
// included, has its URL passwords masked (redact.ts).
import { redactText } from './redact.js';

const SECRET_KEY = /^(password|passwd|pwd|secret|token|apikey|api_key|auth|authorization|sasl|connectionstring|databaseurl|redisurl|registryurl)$/i;
const CENSOR = '[redacted]';
const MAX_DEPTH = 8;

function scrubValue(v: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof v === 'string') return redactText(v);
  if (typeof v !== 'object' || v === null || depth > MAX_DEPTH) return v;
  if (seen.has(v)) return v;
  seen.add(v);
  if (v instanceof Error) {
    // A copy on the same prototype, so pino's error serializer still names its class; the original error (still
    // thrown or handled elsewhere) is left intact.
    const e = v as Error & Record<string, unknown>;
    const copy = Object.create(Object.getPrototypeOf(e) as object) as Record<string, unknown>;
    Object.defineProperties(copy, {
      message: { value: redactText(e.message), enumerable: false, writable: true },
      stack: { value: e.stack === undefined ? undefined : redactText(e.stack), enumerable: false, writable: true },
    });
    for (const [k, x] of Object.entries(e)) copy[k] = SECRET_KEY.test(k) ? CENSOR : scrubValue(x, depth + 1, seen);
    if (e.cause !== undefined) copy.cause = scrubValue(e.cause, depth + 1, seen);
    return copy;
  }
  if (Array.isArray(v)) return v.map((x) => scrubValue(x, depth + 1, seen));
  if (Buffer.isBuffer(v) || v instanceof Date) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = SECRET_KEY.test(k) ? CENSOR : scrubValue(x, depth + 1, seen);
  return out;
}

/** A log object with secrets removed at any depth (pino `formatters.log`). */
export function scrubLog(obj: Record<string, unknown>): Record<string, unknown> {
  return scrubValue(obj, 0, new WeakSet()) as Record<string, unknown>;
}
