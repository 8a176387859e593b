/**
 * Removes secrets from text about to be logged: the configured secret values themselves (exactly,
 * and as they appear JSON-escaped), passwords inside DSNs in every form the design uses, and
 * key-like `name=value` / `"name":"value"` pairs whose name says they are secret.
 */
const MASK = '***';
const SECRET_NAME = String.raw`(?:api[_-]?key|apikey|secret(?:[_-]?key)?|passphrase|password|passwd|pwd|token|access[_-]?key)`;

const PATTERNS: readonly (readonly [RegExp, string])[] = [
  // URL credentials: scheme://user:password@host
  [/([a-z][a-z0-9+.-]*:\/\/[^:@/\s"']*):[^@/\s"']*@/gi, `$1:${MASK}@`],
  // Go MySQL form: user:password@tcp(host)
  [/([\w.-]*):[^@\s"']*@(tcp|unix)\(/g, `$1:${MASK}@$2(`],
  // JSON pairs, also when JSON sits escaped inside a logged string: "apiKey":"value", \"apiKey\":\"value\"
  [new RegExp(String.raw`(\\?"${SECRET_NAME}\\?"\s*:\s*\\?")[^"\\]*(\\?")`, 'gi'), `$1${MASK}$2`],
  // Keyword and query forms: password=value, api_key: value
  [new RegExp(String.raw`(\b${SECRET_NAME}\s*[=:]\s*)(?!\*\*\*)('(?:[^'\\]|\\.)*'|[^\s&,;"'}]+)`, 'gi'), `$1${MASK}`],
];

export class SecretScrubber {
  #secrets: readonly string[] = [];

  constructor(secrets: readonly string[] = []) {
    this.add(secrets);
  }

  /** Masks these values too from now on (secrets that arrived after start: the configuration centre). */
  add(secrets: readonly string[]): void {
    // Longest first, so a secret that contains another is masked whole; very short values would mask ordinary words.
    const forms = secrets
      .filter((secret) => secret.length >= 4)
      .flatMap((secret) => [secret, JSON.stringify(secret).slice(1, -1)]);
    this.#secrets = [...new Set([...this.#secrets, ...forms])].sort((a, b) => b.length - a.length);
  }

  scrub(text: string): string {
    let result = text;
    for (const secret of this.#secrets) result = result.split(secret).join(MASK);
    for (const [pattern, replacement] of PATTERNS) result = result.replace(pattern, replacement);
    return result;
  }
}
