/**
 * `${VAR}` and `${VAR:-default}` references in configuration values, resolved
 * from the environment. A value made only of references is how secrets reach
 * the configuration; anything else in a secret field is a literal.
 */

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Replaces every reference; returns the names of variables that are unset and have no default. */
export function interpolate(value: string, env: NodeJS.ProcessEnv): { value: string; missing: string[] } {
  const missing: string[] = [];
  const result = value.replace(REFERENCE, (_, name: string, fallback: string | undefined) => {
    const found = env[name];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return '';
  });
  return { value: result, missing };
}

/** True when the text holds nothing but references (and whitespace): no literal secret. */
export function isOnlyReferences(value: string): boolean {
  const stripped = value.replace(REFERENCE, '');
  return stripped.length !== value.length && stripped.trim() === '';
}
