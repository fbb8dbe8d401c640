// The one redaction every output goes through (CLI text and JSON, notifications, logs, the
// dashboard's API and page): secrets out, and nothing that a terminal would obey as a command.

/** What a secret is replaced by. */
const MASK = '***';

// Query or key=value parameters whose value is a credential (libpq takes `password` in both the
// URL's query and a conninfo string; presigned S3 URLs carry signatures and session tokens).
const SECRET_PARAMETER =
  /(^|[?&;\s])(password|passwd|pwd|pass|token|access_token|api_key|apikey|secret|client_secret|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token)=([^&\s#'"]+)/gi;

// A URL, up to the first character no URL holds unescaped.
const URL_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi;

/**
 * The password of a URL's userinfo (scheme://user:password@host) masked. The userinfo ends at the
 * URL's last `@`: a password may itself hold `@` or `/`, so masking too much is the safe side.
 */
function maskUserinfo(url: string): string {
  const start = url.indexOf('//') + 2;
  const at = url.lastIndexOf('@');
  const colon = url.indexOf(':', start);
  if (at < start || colon === -1 || colon > at) return url;
  return `${url.slice(0, colon)}:${MASK}${url.slice(at)}`;
}

// Webhook URLs carry their secret in the path (Slack: /services/T…/B…/<token>).
const WEBHOOK_PATH = /\b(https?:\/\/hooks\.slack\.com\/services\/)[^\s'"]+/gi;

const secrets = new Set<string>();

/**
 * Makes `value` a secret for the rest of the process: `redact` replaces it wherever it appears
 * (also percent-encoded or JSON-escaped). For values that no pattern recognizes, such as a
 * webhook URL or a password taken from a URL before it was parsed.
 */
export function registerSecret(value: string): void {
  // Shorter values would mask ordinary words.
  if (value.length < 6) return;
  secrets.add(value);
  secrets.add(encodeURIComponent(value));
  secrets.add(JSON.stringify(value).slice(1, -1));
}

/**
 * Registers the credentials a URL or conninfo string holds (its userinfo password, its secret
 * parameters), so that they are masked also where they appear without the URL around them.
 */
export function registerSecretsOf(url: string): void {
  const start = url.indexOf('//') + 2;
  const at = url.lastIndexOf('@');
  const colon = url.indexOf(':', start);
  if (start > 1 && at > start && colon !== -1 && colon < at) {
    const password = url.slice(colon + 1, at);
    registerSecret(password);
    registerSecret(safeDecode(password));
  }
  for (const match of url.matchAll(SECRET_PARAMETER)) {
    const value = match[3] ?? '';
    registerSecret(value);
    registerSecret(safeDecode(value));
  }
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** `text` without the passwords, tokens and signatures it holds. */
export function redact(text: string): string {
  let out = text;
  // Longest first, so that a secret containing another is replaced whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) out = out.replaceAll(secret, MASK);
  return out
    .replace(URL_TEXT, maskUserinfo)
    .replace(SECRET_PARAMETER, (_, lead: string, name: string) => `${lead}${name}=${MASK}`)
    .replace(WEBHOOK_PATH, (_, head: string) => `${head}${MASK}`);
}

// C0 controls but newline and tab, DEL, C1 controls (CSI alone starts an escape sequence on some
// terminals), and the bidirectional overrides that reorder what a reader sees.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` fit for any output: redacted, and each control character shown as `\uXXXX` instead of
 * sent raw. JSON text stays valid JSON (JSON.stringify already escapes C0 controls; the others
 * are written as the JSON escape of themselves).
 */
export function forOutput(text: string): string {
  return redact(text).replace(CONTROL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
