import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import { Redactor } from './redact.js';

export type { Logger } from 'pino';
export type LogLevel = Level | 'silent';

export interface LoggerOptions {
  /** Minimum level; defaults to `LOG_LEVEL` or `info`. */
  level?: LogLevel;
  /** Where JSON lines go; defaults to stderr, so that stdout stays for command results. */
  destination?: DestinationStream;
  /** Scrubs secrets from every line; pass one to register secrets later. */
  redactor?: Redactor;
  /** Fields bound to every line (e.g. `{ component: 'daemon' }`). */
  base?: Record<string, unknown>;
}

export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * The root logger: pino JSON lines on stderr. Secrets are removed twice: by key
 * while the line's fields are formatted, and by value from the finished line
 * (which also covers the message and serialized errors).
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const redactor = options.redactor ?? new Redactor();
  const target = options.destination ?? pino.destination({ fd: 2, sync: true });
  const envLevel = process.env.LOG_LEVEL;
  const level = options.level ?? (envLevel && isLogLevel(envLevel) ? envLevel : 'info');
  const scrubbing: DestinationStream = {
    write(line: string) {
      return target.write(redactor.scrubText(line));
    },
  };
  return pino(
    {
      level,
      base: options.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redactor.scrubValue(object) as Record<string, unknown>,
      },
      serializers: { err: (err: unknown) => redactor.scrubValue(err) },
    },
    scrubbing,
  );
}

/** A logger that drops everything, for library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
