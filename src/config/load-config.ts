/**
 * Loading a configuration file (R5): YAML → checked, fully-typed, deeply frozen QuantMeshConfig, or a
 * ConfigError listing every problem with its file, key path and line.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, type ConfigIssue } from './errors.js';
import { INVALID, type Out, type ReadContext } from './schema/field.js';
import { configSchema } from './schema/config-schema.js';

/** The loaded configuration. Keys are the file's keys in camelCase; durations are milliseconds. */
export type QuantMeshConfig = Out<typeof configSchema>;

export interface ParseOptions {
  /** Shown in messages; the path of the file, or a label. */
  readonly file: string;
  /** Variables for `${VAR}` substitution (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `--standby` on the command line: sets coordination.standby before the checks run. */
  readonly standby?: boolean;
}

const MAX_SYNTAX_ISSUES = 5;

export function parseConfig(text: string, options: ParseOptions): QuantMeshConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax: ConfigIssue[] = [];
  for (const problem of [...document.errors, ...document.warnings]) {
    const line = lineCounter.linePos(problem.pos[0]).line;
    // One broken token makes the parser complain about everything after it on the line: keep the first.
    if (syntax.some((issue) => issue.line === line) || syntax.length >= MAX_SYNTAX_ISSUES) continue;
    syntax.push({ file: options.file, path: '', line, message: `YAML ${problem.name === 'YAMLWarning' ? 'warning' : 'syntax error'}: ${problem.message.split('\n')[0]}` });
  }
  if (syntax.length > 0) throw new ConfigError(options.file, syntax);
  if (options.standby) document.setIn(['coordination', 'standby'], document.createNode(true));
  const ctx: ReadContext = { file: options.file, env: options.env ?? process.env, document, lineCounter, issues: [] };
  const config = configSchema.read(document.contents ?? undefined, { path: '', line: 1 }, ctx);
  if (config === INVALID || ctx.issues.length > 0) throw new ConfigError(options.file, ctx.issues.sort((a, b) => a.line - b.line));
  return deepFreeze(config);
}

export async function loadConfig(path: string, options: Omit<ParseOptions, 'file'> = {}): Promise<QuantMeshConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot be read (${(error as Error).message})`;
    throw new ConfigError(path, [{ file: path, path: '', line: 1, message: reason }]);
  }
  return parseConfig(text, { ...options, file: path });
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
