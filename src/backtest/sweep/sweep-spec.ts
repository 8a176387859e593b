/**
 * Parameter sweeps: `--sweep <key>=<values>` axes over one symbol's settings, their combinations,
 * and the configuration of each combination.
 *
 * An axis is `key=a:b:step` (every value from a to b inclusive, exact decimal steps) or
 * `key=v1,v2,…`. Keys are the symbol's keys in the file's vocabulary (`price_interval`,
 * `grid_risk_control.stop_loss_ratio`). Each combination is written into the configuration's YAML
 * document and read again through the loader, so a value the configuration would refuse is refused
 * here with the loader's message, before any run starts.
 */
import { parseDocument } from 'yaml';
import { type QuantMeshConfig, parseConfig } from '../../config/load-config.js';
import { ConfigError, formatConfigIssue } from '../../config/errors.js';
import { type Decimal, dec, isDecimalString } from '../../domain/decimal.js';
import { BacktestSetupError } from '../errors.js';

export interface SweepAxis {
  /** Key of the symbol's entry, dotted for nested keys. */
  readonly key: string;
  /** Values as written into the configuration (decimal or integer text). */
  readonly values: readonly string[];
}

/** One combination: a value per axis, in axis order. */
export type SweepCombination = readonly string[];

/** The configuration text a sweep starts from and where it came from (for messages). */
export interface SweepBase {
  readonly text: string;
  readonly file: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Index of the swept symbol in `trading.symbols`. */
  readonly symbolIndex: number;
}

/** A sweep larger than this is almost certainly a typo in a range. */
const MAX_COMBINATIONS = 10_000;
/** Keys that say which market is tested: not parameters. */
const NOT_SWEPT = new Set(['exchange', 'symbol']);

export class SweepSpecError extends BacktestSetupError {}

export function parseSweepAxis(spec: string): SweepAxis {
  const fail = (why: string): never => {
    throw new SweepSpecError(`--sweep ${spec}: ${why}`);
  };
  const equals = spec.indexOf('=');
  if (equals <= 0) fail('expected <key>=<from>:<to>:<step> or <key>=<v1>,<v2>,… (e.g. price_interval=40:60:5)');
  const key = spec.slice(0, equals).trim();
  const text = spec.slice(equals + 1).trim();
  if (!/^[a-z_]+(\.[a-z_]+)?$/.test(key)) fail(`"${key}" is not a setting key (snake_case, e.g. buy_window_size)`);
  if (NOT_SWEPT.has(key)) fail(`${key} names the market tested, it cannot be swept (use --symbol)`);
  if (text === '') fail('no values');
  const values = text.includes(':') ? rangeValues(text, fail) : listValues(text, fail);
  return { key, values };
}

function rangeValues(text: string, fail: (why: string) => never): string[] {
  const parts = text.split(':').map((part) => part.trim());
  if (parts.length !== 3 || !parts.every(isDecimalString))
    fail(`range "${text}" must be <from>:<to>:<step> with decimal numbers`);
  const [from, to, step] = parts.map((part) => dec(part)) as [Decimal, Decimal, Decimal];
  if (!step.gt(0)) fail(`step ${step.toFixed()} must be positive`);
  if (to.lt(from)) fail(`range ends (${to.toFixed()}) below where it starts (${from.toFixed()})`);
  const count = to.sub(from).div(step).floor().toNumber() + 1;
  if (count > MAX_COMBINATIONS) fail(`range has ${count} values (at most ${MAX_COMBINATIONS})`);
  const places = Math.max(from.decimalPlaces(), step.decimalPlaces());
  return Array.from({ length: count }, (_, index) => from.add(step.mul(index)).toFixed(places));
}

function listValues(text: string, fail: (why: string) => never): string[] {
  const values = text.split(',').map((value) => value.trim());
  if (values.some((value) => value === '')) fail(`empty value in "${text}"`);
  const repeated = values.find((value, index) => values.indexOf(value) !== index);
  if (repeated !== undefined) fail(`value ${repeated} is listed twice`);
  return values;
}

/** Every combination of the axes' values (the last axis varies fastest). */
export function sweepCombinations(axes: readonly SweepAxis[]): SweepCombination[] {
  const keys = axes.map((axis) => axis.key);
  const twice = keys.find((key, index) => keys.indexOf(key) !== index);
  if (twice !== undefined) throw new SweepSpecError(`--sweep ${twice} is given twice: give all its values in one`);
  const count = axes.reduce((product, axis) => product * axis.values.length, 1);
  if (count > MAX_COMBINATIONS)
    throw new SweepSpecError(`the sweep has ${count} combinations (at most ${MAX_COMBINATIONS})`);
  let combinations: SweepCombination[] = [[]];
  for (const axis of axes)
    combinations = combinations.flatMap((prefix) => axis.values.map((value) => [...prefix, value]));
  return combinations;
}

/** A YAML scalar for a swept value: integers as numbers (integer keys need one), decimals as text. */
function scalarValue(value: string): unknown {
  if (/^-?\d+$/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

/** The configuration with one combination written into the swept symbol's entry. */
export function sweepConfig(
  base: SweepBase,
  axes: readonly SweepAxis[],
  combination: SweepCombination,
): QuantMeshConfig {
  const document = parseDocument(base.text);
  axes.forEach((axis, index) => {
    const path = ['trading', 'symbols', base.symbolIndex, ...axis.key.split('.')];
    document.setIn(path, document.createNode(scalarValue(combination[index] as string)));
  });
  const label = axes.map((axis, index) => `${axis.key}=${combination[index]}`).join(' ');
  try {
    return parseConfig(document.toString(), { file: base.file, env: base.env });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // Lines of the rewritten document would point nowhere in the user's file: key paths only.
    const problems = error.issues.map((issue) =>
      formatConfigIssue(issue).slice(`${issue.file}:${issue.line}: `.length),
    );
    throw new SweepSpecError(`--sweep ${label}: ${problems.join('; ')}`);
  }
}
