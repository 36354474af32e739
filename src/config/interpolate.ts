/**
 * `${VAR}` and `${VAR:-default}` references in configuration values, resolved
 * from the environment. A value made only of references without defaults is how
 * secrets reach the configuration; anything else in a secret field is a literal.
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

/**
 * Where a secret value written in a file would sit in the text: outside the references
 * (`hunter2`, `pre${A}`), or as a reference's default (`${TS_PASSWORD:-hunter2}`, used
 * whenever the variable is unset, so as good as written out). Undefined: references only.
 */
export function literalIn(value: string): 'text' | 'default' | undefined {
  const references = [...value.matchAll(REFERENCE)];
  if (references.length === 0 || value.replace(REFERENCE, '').trim() !== '') return 'text';
  return references.some((reference) => reference[2]) ? 'default' : undefined;
}

/** The defaults of the references in a value (`${A:-x}` → `x`). */
export function defaultsIn(value: string): string[] {
  return [...value.matchAll(REFERENCE)].flatMap((reference) => (reference[2] ? [reference[2]] : []));
}
