import { QuantMeshError } from '../errors/quantmesh-error.js';

/** One problem found in a configuration file, located by key path and line. */
export interface ConfigIssue {
  /** The file name as given (or `<embedded default>`). */
  readonly file: string;
  /** Key path in the file's vocabulary, e.g. `trading.symbols[1].price_interval`. */
  readonly path: string;
  /** 1-based line of the offending value (or of the enclosing map when a key is missing). */
  readonly line: number;
  /** What is wrong. */
  readonly message: string;
  /** The value found, already masked when the key holds a secret. */
  readonly value?: string | undefined;
  /** What would be accepted. */
  readonly allowed?: string | undefined;
}

/** Formats one issue as `file:line: path: message (got …; allowed: …)`. */
export function formatConfigIssue(issue: ConfigIssue): string {
  const details = [
    issue.value === undefined ? undefined : `got ${issue.value}`,
    issue.allowed === undefined ? undefined : `allowed: ${issue.allowed}`,
  ].filter((part) => part !== undefined);
  const suffix = details.length === 0 ? '' : ` (${details.join('; ')})`;
  return `${issue.file}:${issue.line}: ${issue.path === '' ? '(root)' : issue.path}: ${issue.message}${suffix}`;
}

/** A configuration that cannot be used. Carries every issue found, not only the first. */
export class ConfigError extends QuantMeshError {
  readonly code = 'QM_CONFIG_INVALID';
  constructor(
    readonly file: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      `invalid configuration ${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n${issues.map((issue) => `  - ${formatConfigIssue(issue)}`).join('\n')}`,
    );
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), file: this.file, issues: this.issues };
  }
}
