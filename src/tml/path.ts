import type { TmlMap, TmlPath, TmlValue } from './types.js';

/** 1 → `1st`, 2 → `2nd`, 11 → `11th`, 23 → `23rd`. */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/**
 * ThoughtSpot's way of naming a field in import errors (§3.6): `kind->field(Nth)->sub`, with
 * 1-based ordinals, e.g. `model->model_tables(3rd)->joins(2nd)`.
 */
export function formatPath(path: TmlPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `(${ordinal(segment + 1)})`;
    else text += text === '' ? segment : `->${segment}`;
  }
  return text;
}

export function isMap(value: unknown): value is TmlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `path`, or undefined when any step is missing. */
export function valueAt(root: TmlValue | undefined, path: TmlPath): TmlValue | undefined {
  let current = root;
  for (const segment of path) {
    if (typeof segment === 'number') current = Array.isArray(current) ? current[segment] : undefined;
    else current = isMap(current) && Object.hasOwn(current, segment) ? current[segment] : undefined;
    if (current === undefined) return undefined;
  }
  return current;
}

export interface PatternMatch {
  readonly path: TmlPath;
  readonly value: TmlValue | undefined;
}

/**
 * Every place a rule pattern (`columns[].properties.column_type`) names in `root`. Parents must
 * exist; the last step may be absent (value undefined) so required-field rules can see holes.
 */
export function matchPattern(root: TmlMap, pattern: string): PatternMatch[] {
  const steps = pattern.split('.').flatMap((part) => (part.endsWith('[]') ? [part.slice(0, -2), '[]'] : [part]));
  let matches: PatternMatch[] = [{ path: [], value: root }];
  steps.forEach((step, i) => {
    const last = i === steps.length - 1;
    matches = matches.flatMap(({ path, value }): PatternMatch[] => {
      if (step === '[]') return Array.isArray(value) ? value.map((item, n) => ({ path: [...path, n], value: item })) : [];
      if (!isMap(value)) return [];
      const child = Object.hasOwn(value, step) ? value[step] : undefined;
      return child === undefined && !last ? [] : [{ path: [...path, step], value: child }];
    });
  });
  return matches;
}
