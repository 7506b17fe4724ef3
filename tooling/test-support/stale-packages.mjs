// Which workspace packages need `pnpm build` before an app can use them: the
// demo and the e2e scripts skip the build when every dist/ is newer than src/.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Newest modification time of the files under a directory (0 when absent).
 * @param {string} dir
 * @returns {number}
 */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let max = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    max = Math.max(max, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return max;
}

/**
 * Names of the packages under `<rootDir>/packages` (or just `names`) whose
 * dist/ is missing or older than their src/.
 * @type {typeof import('./index.d.mts').stalePackages}
 */
export function stalePackages(rootDir, names) {
  const packagesDir = join(rootDir, 'packages');
  return (names ?? readdirSync(packagesDir)).filter((name) => {
    const dir = join(packagesDir, name);
    if (!existsSync(join(dir, 'package.json'))) return false;
    const dist = newest(join(dir, 'dist'));
    return dist === 0 || newest(join(dir, 'src')) > dist;
  });
}
