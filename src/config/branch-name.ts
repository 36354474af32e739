/**
 * Why git would refuse a branch name, or undefined when it takes it: the rules of
 * `git check-ref-format --branch` (https://git-scm.com/docs/git-check-ref-format), checked
 * when the configuration is loaded rather than when the first run creates the branch.
 */
export function branchNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name === 'HEAD') return 'is HEAD, which git keeps for the current commit';
  if (name === '@') return 'is "@", which git reads as HEAD';
  if (name.startsWith('-')) return 'starts with "-", which git would read as an option';
  if (name.startsWith('/') || name.endsWith('/')) return 'starts or ends with "/"';
  if (name.endsWith('.')) return 'ends with "."';
  if (name.includes('..')) return 'contains ".."';
  if (name.includes('//')) return 'contains "//"';
  if (name.includes('@{')) return 'contains "@{"';
  const character = [...name].find((c) => c <= ' ' || c === '\x7f' || '~^:?*[\\'.includes(c));
  if (character !== undefined) return `contains ${JSON.stringify(character)}, which git does not allow in a branch name`;
  for (const component of name.split('/')) {
    if (component.startsWith('.')) return `has a part that starts with "." (${JSON.stringify(component)})`;
    if (component.endsWith('.lock')) return `has a part that ends with ".lock" (${JSON.stringify(component)}), which git keeps for its lock files`;
  }
  return undefined;
}
