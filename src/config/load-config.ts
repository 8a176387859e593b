/**
 * Loading a configuration file (R5): YAML → checked, fully-typed, deeply frozen QuantMeshConfig, or a
 * ConfigError listing every problem with its file, key path and line.
 */
import { readFile } from 'node:fs/promises';
import { type Document, LineCounter, type Node, YAMLMap, isMap, isScalar, parseDocument } from 'yaml';
import { ConfigError, type ConfigIssue } from './errors.js';
import { INVALID, type Field, type Out, type ReadContext } from './schema/field.js';
import { bootstrapSchema, configSchema } from './schema/config-schema.js';

/** The loaded configuration. Keys are the file's keys in camelCase; durations are milliseconds. */
export type QuantMeshConfig = Out<typeof configSchema>;

/** The `instance` and `config_centre` sections of a bootstrap file (R7). */
export type BootstrapConfig = Out<typeof bootstrapSchema>;

export interface ParseOptions {
  /** Shown in messages; the path of the file, or a label. */
  readonly file: string;
  /** Variables for `${VAR}` substitution (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `--standby` on the command line: sets coordination.standby before the checks run. */
  readonly standby?: boolean;
  /** Sets instance.id before the checks run (a document from the configuration centre is named by its bootstrap file). */
  readonly instanceId?: string | undefined;
}

const MAX_SYNTAX_ISSUES = 5;

export function parseConfig(text: string, options: ParseOptions): QuantMeshConfig {
  const { document, lineCounter } = readDocument(text, options.file);
  if (options.standby) document.setIn(['coordination', 'standby'], document.createNode(true));
  if (options.instanceId !== undefined) document.setIn(['instance', 'id'], document.createNode(options.instanceId));
  return readWith(configSchema, document.contents ?? undefined, { document, lineCounter }, options);
}

/**
 * Reads only `instance` and `config_centre` (every other key is left alone): whether the instance's
 * configuration is this file or the configuration centre's document, and where that is.
 */
export function parseBootstrap(text: string, options: Omit<ParseOptions, 'standby' | 'instanceId'>): BootstrapConfig {
  const { document, lineCounter } = readDocument(text, options.file);
  const kept = new YAMLMap();
  if (isMap(document.contents))
    kept.items = document.contents.items.filter(
      (pair) => isScalar(pair.key) && (pair.key.value === 'instance' || pair.key.value === 'config_centre'),
    );
  return readWith(bootstrapSchema, kept, { document, lineCounter }, options);
}

function readWith<T>(
  schema: Field<T>,
  node: Node | undefined,
  parsed: { document: Document; lineCounter: LineCounter },
  options: ParseOptions,
): T {
  const ctx: ReadContext = { file: options.file, env: options.env ?? process.env, ...parsed, issues: [] };
  const value = schema.read(node, { path: '', line: 1 }, ctx);
  if (value === INVALID || ctx.issues.length > 0)
    throw new ConfigError(
      options.file,
      ctx.issues.sort((a, b) => a.line - b.line),
    );
  return deepFreeze(value);
}

function readDocument(text: string, file: string): { document: Document; lineCounter: LineCounter } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax: ConfigIssue[] = [];
  for (const problem of [...document.errors, ...document.warnings]) {
    const line = lineCounter.linePos(problem.pos[0]).line;
    // One broken token makes the parser complain about everything after it on the line: keep the first.
    if (syntax.some((issue) => issue.line === line) || syntax.length >= MAX_SYNTAX_ISSUES) continue;
    syntax.push({
      file,
      path: '',
      line,
      message: `YAML ${problem.name === 'YAMLWarning' ? 'warning' : 'syntax error'}: ${problem.message.split('\n')[0]}`,
    });
  }
  if (syntax.length > 0) throw new ConfigError(file, syntax);
  return { document, lineCounter };
}

export async function loadConfig(path: string, options: Omit<ParseOptions, 'file'> = {}): Promise<QuantMeshConfig> {
  return parseConfig(await readConfigFile(path), { ...options, file: path });
}

/** The text of a configuration file; a missing or unreadable file is a ConfigError naming it. */
export async function readConfigFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'file not found'
        : `cannot be read (${(error as Error).message})`;
    throw new ConfigError(path, [{ file: path, path: '', line: 1, message: reason }]);
  }
}

export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
