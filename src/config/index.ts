export { loadConfig, defaultWorkDir, ConfigError, type ConfigProblem, type LoadOptions, type LoadedConfig } from './load.js';
export { configSchema, type EnvironmentConfig, type NotificationConfig, type NotificationEvent, type TmlsyncConfig } from './schema.js';
export { interpolate, literalIn } from './interpolate.js';
export { SECRET_FIELDS, urlHoldsCredentials } from './credentials.js';
export { branchNameProblem } from './branch-name.js';
