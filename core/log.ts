/**
 * Structured logs (pino), one root logger per process made by its `main`, passed down; no
 * import-time singleton. Cloud-init user data, network data and secret data are redacted.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';

/** The logger type every component takes (a pino logger, so `child()` and levels work as usual). */
export type Logger = PinoLogger;

/** Options of {@link createLogger}. */
export interface LogConfig {
  /** The component's name, on every line as `component` (`virt-launcher`, `virt-controller`…); `name` is left to objects. */
  readonly name: string;
  /** @default "info" */
  readonly level?: string;
  /** Where lines go. @default standard error */
  readonly destination?: DestinationStream;
}

/** Paths whose values never reach a log line. */
export const REDACTED_PATHS: readonly string[] = [
  '*.userData', '*.userDataBase64', '*.networkData', '*.networkDataBase64',
  '*.*.userData', '*.*.userDataBase64', '*.*.networkData', '*.*.networkDataBase64',
  'data', '*.data', 'stringData', '*.stringData',
];

/** The root logger of a process. */
export function createLogger(config: LogConfig): Logger {
  const options = { base: { component: config.name }, level: config.level ?? 'info', redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' } };
  return config.destination === undefined ? pino(options, pino.destination(2)) : pino(options, config.destination);
}
