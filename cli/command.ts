/** The shape of a `kvt` subcommand, so help, dispatch and tests treat them alike. */
import { KubevirtError } from '../core/errors.js';

/** Where a command writes; tests pass collectors, main passes the process streams. */
export interface CommandIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Ends a command that runs until interrupted (`kvt get -w`); without it, SIGINT or SIGTERM does. */
  readonly signal?: AbortSignal;
}

/** A `kvt` subcommand. Exit codes as kubectl's: 0 ok, 1 any error (`kvt validate` alone adds 2 for unreadable input). */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(args: readonly string[], io: CommandIo): Promise<number>;
}

/** Thrown for a bad command line; kvt prints it with the command's usage line and exits 1, as kubectl. */
export class UsageError extends KubevirtError {}

/** The `--log-level` values of the long-running commands (pino's levels). */
const LOG_LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Refuses a `--log-level` that is not one of pino's levels, naming them. */
export function checkLogLevel(level: string): void {
  if (!LOG_LEVELS.includes(level)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not ${JSON.stringify(level)}`);
}
