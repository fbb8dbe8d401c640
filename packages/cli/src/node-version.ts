/** The oldest Node.js the CLI runs on (its code and its dependencies are tested on 20 and 24). */
export const MINIMUM_NODE = '20.0.0';

/** Whether `version` (as in process.versions.node) is older than `minimum`. */
export function olderThan(version: string, minimum: string): boolean {
  const have = version.split('.').map(Number);
  const need = minimum.split('.').map(Number);
  for (let i = 0; i < need.length; i++) {
    const a = have[i] ?? 0;
    const b = need[i] ?? 0;
    if (a !== b) return a < b;
  }
  return false;
}
