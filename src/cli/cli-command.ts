import type { Command } from 'commander';

/** What every command may use instead of touching process globals directly, so main() is testable. */
export interface CliContext {
  /** Writes to standard output / error. */
  out(text: string): void;
  err(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Set by a command's action; main() returns it. */
  exitCode: number;
}

/** One CLI command (or group), registered on the root program. Add yours to registered-commands.ts. */
export interface CliCommand {
  register(program: Command, context: CliContext): void;
}
