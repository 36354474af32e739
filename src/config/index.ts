export { loadConfig, defaultWorkDir, ConfigError, type ConfigProblem, type LoadOptions, type LoadedConfig } from './load.js';
export { configSchema, SECRET_FIELDS, type EnvironmentConfig, type TmlsyncConfig } from './schema.js';
export { interpolate, isOnlyReferences } from './interpolate.js';
