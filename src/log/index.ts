export { createLogger, silentLogger, detailLogger, isLogLevel, isLogFormat, logFormat, wantsColour, LOG_LEVELS, LOG_FORMATS, type Logger, type LoggerOptions, type LogLevel, type LogFormat } from './logger.js';
export { Redactor, REDACTED, isSecretKey, urlHoldsCredentials } from './redact.js';
