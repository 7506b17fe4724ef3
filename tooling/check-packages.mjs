// Packaging gate: every publishable package must pass `publint --strict` and
// `attw --pack` (ESM + CJS + types resolve everywhere). Run after `pnpm build`.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packagesDir = join(root, 'packages');
let failed = 0;

for (const name of readdirSync(packagesDir).sort()) {
  const dir = join(packagesDir, name);
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  } catch {
    continue;
  }
  if (manifest.private) continue;
  for (const [tool, args] of [
    ['publint', ['exec', 'publint', '--strict']],
    ['attw', ['exec', 'attw', '--pack', '.', '--format', 'ascii']],
  ]) {
    try {
      execFileSync('pnpm', args, { cwd: dir, stdio: 'pipe', encoding: 'utf8' });
      console.log(`✓ ${manifest.name}: ${tool}`);
    } catch (error) {
      failed++;
      console.error(`✗ ${manifest.name}: ${tool}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    }
  }
}

if (failed > 0) {
  console.error(`${failed} packaging check(s) failed.`);
  process.exit(1);
}
