/**
 * The process logger (pino): readable lines on a terminal, one JSON object per line otherwise.
 * Secrets never reach the output: known secret keys are redacted structurally, and every line is
 * scrubbed of configured secret values, DSN passwords and key-like pairs before it is written.
 */
import { Writable } from 'node:stream';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import pretty from 'pino-pretty';
import { SecretScrubber } from './secret-scrubber.js';

export type { Logger } from 'pino';

const SECRET_KEYS = [
  'password',
  'passphrase',
  'apiKey',
  'api_key',
  'secretKey',
  'secret_key',
  'secret',
  'token',
  'authorization',
  'dsn',
];
/** pino redact paths reach fixed depths: cover a key at the top and up to three objects deep. */
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]);

/** The key under which a status line carries its figures for machines (JSON); pretty output shows only its message. */
export const STATUS_LINE_KEY = 'symbolStatus';

export interface LoggerOptions {
  readonly level?: Level | 'silent';
  /** Defaults to stdout. */
  readonly destination?: DestinationStream;
  /** Readable lines instead of JSON (default: when stdout is a terminal and no destination is given). */
  readonly pretty?: boolean;
  /** Values to mask wherever they appear (see configSecrets). */
  readonly secrets?: readonly string[];
  /** Bound to every line, e.g. `{ instance: 'instance-1' }`. */
  readonly bindings?: Readonly<Record<string, unknown>>;
}

/** Each logger's scrubber, for secrets that arrive after it was created (`maskSecrets`). */
const scrubbers = new WeakMap<Logger, SecretScrubber>();

/** Masks these values too in every later line of `logger` (one made by createLogger; its children share it). */
export function maskSecrets(logger: Logger, secrets: readonly string[]): void {
  scrubbers.get(logger)?.add(secrets);
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const scrubber = new SecretScrubber(options.secrets);
  const usePretty = options.pretty ?? (options.destination === undefined && process.stdout.isTTY === true);
  const target = options.destination ?? pino.destination({ dest: 1, sync: true });
  const stream = usePretty
    ? pretty({
        destination: target as unknown as Writable,
        colorize: options.destination === undefined,
        translateTime: 'SYS:HH:MM:ss.l',
        sync: true,
        // One line per status line: its figures are in the message; the instance leads every line.
        ignore: `pid,hostname,instance,${STATUS_LINE_KEY}`,
        messageFormat: '{if instance}[{instance}] {end}{msg}',
      })
    : target;
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: { ...options.bindings },
      // A whole `dsn` in a log object is dropped; messages are scrubbed of DSN passwords below.
      redact: { paths: REDACT_PATHS, censor: '***' },
      // Runs on the serialised JSON line before any formatting, so pretty output is scrubbed too.
      hooks: { streamWrite: (line) => scrubber.scrub(line) },
    },
    stream,
  );
  scrubbers.set(logger, scrubber);
  return logger;
}

/** A logger that keeps its lines in memory, for tests: `lines()` is the raw output, `records()` the parsed JSON. */
export function captureLogs(options: Omit<LoggerOptions, 'destination' | 'pretty'> = {}): {
  logger: Logger;
  lines(): string[];
  records(): Record<string, unknown>[];
} {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger({ ...options, destination });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((line) => line !== '');
  return { logger, lines, records: () => lines().map((line) => JSON.parse(line) as Record<string, unknown>) };
}
