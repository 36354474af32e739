import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
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
  /** JSON lines (default) or readable lines for a person at a terminal (`logFormat`). */
  format?: LogFormat;
  /** With `pretty`: colour the level and message (a terminal that shows colour). */
  colour?: boolean;
}

/** JSON lines for machines (CI, journald, a log shipper); readable lines for a person at a terminal. */
export type LogFormat = 'json' | 'pretty';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

export function isLogFormat(value: string): value is LogFormat {
  return (LOG_FORMATS as readonly string[]).includes(value);
}

/**
 * The format of a run's logs: the one asked for (`--log-format`), else
 * readable lines when stderr is a terminal and JSON lines when anything else
 * (a pipe, a file, CI) reads them.
 */
export function logFormat(asked: LogFormat | undefined, stderrIsTTY: boolean): LogFormat {
  return asked ?? (stderrIsTTY ? 'pretty' : 'json');
}

/**
 * Whether a terminal should see colour: not when NO_COLOR is set
 * (https://no-color.org) or TERM says it cannot (`dumb`).
 */
export function wantsColour(env: NodeJS.ProcessEnv): boolean {
  return !env.NO_COLOR && env.TERM !== 'dumb';
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
  const render = options.format === 'pretty' ? readableLine(options.colour === true) : (line: string) => line;
  const scrubbing: DestinationStream = {
    write(line: string) {
      // Scrubbed as JSON, before it is made readable: the one redaction serves both formats.
      return target.write(render(redactor.scrubText(line)));
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

/** Fields a readable line shows in its prefix (so not again among the fields). */
const PREFIX_FIELDS = ['environment', 'loop', 'runId', 'component'];
/** Fields every line has, shown by pino-pretty itself or of no use to a reader. */
const HIDDEN_FIELDS = new Set(['time', 'level', 'msg', 'pid', 'hostname', ...PREFIX_FIELDS]);

/**
 * A JSON line made readable by pino's own pretty-printer: `12:04:05 INFO
 * [dev export 1f2e3d4c] export finished added=3 commits=1`. Why `prettyFactory`
 * rather than `pinoPretty()` as the destination stream or a `transport`
 * worker: both of those pass lines through Node streams (a worker thread for
 * the transport), so a line logged just before the process exits can be lost,
 * and a test reading stderr sees lines a tick late. `prettyFactory` formats
 * each line synchronously inside `write`, as the JSON destination does.
 */
function readableLine(colour: boolean): (line: string) => string {
  const pretty = prettyFactory({
    colorize: colour,
    translateTime: 'SYS:HH:MM:ss',
    // The fields go into the message line (readableFields), not as a JSON block below it.
    hideObject: true,
    messageFormat: (log, messageKey) => {
      const prefix = PREFIX_FIELDS.flatMap((key) => {
        const value = log[key];
        // A run id's first 8 characters tell runs apart on a screen; the JSON line keeps it whole.
        return typeof value === 'string' && value ? [key === 'runId' ? value.slice(0, 8) : value] : [];
      });
      const message = log[messageKey];
      const fields = readableFields(log);
      return `${prefix.length ? `[${prefix.join(' ')}] ` : ''}${typeof message === 'string' ? message : ''}${fields ? ` ${fields}` : ''}`;
    },
  });
  return (line) => pretty(line);
}

/**
 * A line's own fields as `key=value`: a run's counts by their non-zero
 * entries (`added=18 commits=2`, not a JSON object of zeros), an error by its
 * message; anything else as compact JSON.
 */
function readableFields(log: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(log)) {
    if (HIDDEN_FIELDS.has(key) || value === undefined) continue;
    if (key === 'err' && value !== null && typeof value === 'object') parts.push(`error=${JSON.stringify((value as { message?: unknown }).message ?? value)}`);
    else if (isCounts(value)) parts.push(...Object.entries(value).flatMap(([k, n]) => (n === 0 ? [] : [`${k}=${n}`])));
    else parts.push(`${key}=${typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)}`);
  }
  return parts.join(' ');
}

function isCounts(value: unknown): value is Record<string, number> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((n) => typeof n === 'number');
}

/**
 * A logger whose info lines are detail: its warnings and errors as they
 * come, its info lines only at debug. For the export and deploy inside a
 * sync run (the run reads as one line, its own summary) and for the demo's
 * emulator (one line per request).
 */
export function detailLogger(log: Logger): Logger {
  return log.isLevelEnabled('debug') ? log : log.child({}, { level: 'warn' });
}

/** A logger that drops everything, for library callers that pass none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
