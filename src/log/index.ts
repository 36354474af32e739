export { createLogger, silentLogger, isLogLevel, LOG_LEVELS, type Logger, type LoggerOptions, type LogLevel } from './logger.js';
export { Redactor, REDACTED, isSecretKey, urlHoldsCredentials } from './redact.js';
