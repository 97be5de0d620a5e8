// Credentials never reach output: URLs (DATABASE_URL, REDIS_URL, SCHEMA_REGISTRY_URL, source URLs) are printed and
// logged only with their password, and secret-looking query parameters, masked.

const MASK = '***';
const SECRET_PARAM = /^(password|passwd|pwd|secret|token|access_token|api[_-]?key|apikey|key|sig|signature)$/i;
// scheme://user:password@ anywhere in a text (error messages, unparseable URLs)
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)[^\s/@]*@/gi;

/** A URL with its password and secret query parameters masked; unchanged when there is nothing to hide. */
export function redactUrl(u: string): string {
  let parsed: URL;
  try {
    parsed = new URL(u);
  } catch {
    return redactText(u);
  }
  let changed = false;
  if (parsed.password) {
    parsed.password = MASK;
    changed = true;
  }
  for (const k of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAM.test(k)) {
      parsed.searchParams.set(k, MASK);
      changed = true;
    }
  }
  return changed ? parsed.toString() : u;
}

/** Any text with the password of every `scheme://user:password@` in it masked. */
export function redactText(s: string): string {
  return s.replace(USERINFO, `$1${MASK}@`);
}
