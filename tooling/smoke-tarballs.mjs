// Installs the `pnpm pack` tarballs of every package into a fresh npm project,
// as a user would, and loads each entry point through ESM `import` and CJS
// `require`. Catches packaging mistakes that in-repo tests cannot see (missing
// files, workspace: ranges, wrong exports). Run after `pnpm build`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'sessionkit-smoke-'));
const packDir = join(work, 'tarballs');
const appDir = join(work, 'app');

const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: 'pipe', encoding: 'utf8' });

try {
  const tarballs = [];
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    const dir = join(root, 'packages', name);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    if (manifest.private) continue;
    const out = run('pnpm', ['pack', '--pack-destination', packDir], dir).trim().split('\n').pop();
    tarballs.push(out);
  }
  run('mkdir', ['-p', appDir]);
  writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: 'smoke', private: true }));
  // Peers a typical app already has.
  run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...tarballs,
      'ioredis@5.9.2',
      'mongoose@8.24.10',
      'pg@8.23.1',
      'next-auth@4.24.15',
      'next@16.4.6',
      'react@19.3.1',
      'react-dom@19.3.1',
    ],
    appDir,
  );

  const entries = {
    '@sessionkit/core': ['createSessionManager', 'createMemoryStore', 'SessionKitError'],
    '@sessionkit/core/geoip': ['createGeoipLiteResolver'],
    '@sessionkit/core/store': ['isLive', 'expiryOf', 'hashToken', 'userShard', 'STORE_METHODS'],
    '@sessionkit/core/testing': ['runStoreConformanceTests'],
    '@sessionkit/redis': ['createRedisStore'],
    '@sessionkit/mongo': ['createMongoStore', 'checkMongoIndexes', 'ensureMongoIndexes'],
    '@sessionkit/postgres': ['createPostgresStore', 'ensurePostgresSchema', 'postgresSchemaSql'],
    '@sessionkit/next-auth': [
      'withSessionTracking',
      'createSessionRouteHandlers',
      'isTrackedSession',
    ],
    '@sessionkit/next-auth/edge': ['withEdgeSessionTracking'],
    '@sessionkit/react': [
      'useSession',
      'useSessionExpiry',
      'refreshSessionActivity',
      'SessionManagement',
    ],
  };
  // The testing entry imports vitest at load time; only check that it resolves.
  const loadable = (entry) => entry !== '@sessionkit/core/testing';
  let failed = 0;
  for (const [entry, names] of Object.entries(entries)) {
    for (const mode of ['esm', 'cjs']) {
      const probe =
        mode === 'esm'
          ? `import(${JSON.stringify(entry)}).then((m) => { for (const n of ${JSON.stringify(names)}) if (!(n in m)) throw new Error('missing export ' + n); })`
          : `const m = require(${JSON.stringify(entry)}); for (const n of ${JSON.stringify(names)}) if (!(n in m)) throw new Error('missing export ' + n);`;
      const script = loadable(entry) ? probe : `require.resolve(${JSON.stringify(entry)})`;
      try {
        run('node', ['-e', script], appDir);
        console.log(`✓ ${entry} (${mode})`);
      } catch (error) {
        failed++;
        console.error(`✗ ${entry} (${mode})\n${error.stderr ?? error.message}`);
      }
    }
  }
  // And one real lifecycle through the installed CJS build, as a user's server would run it.
  try {
    run(
      'node',
      [
        '-e',
        `const { createSessionManager, createMemoryStore } = require('@sessionkit/core');
         (async () => {
           const m = createSessionManager({ store: createMemoryStore() });
           const { session, token } = await m.create({ userId: 'smoke', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0' });
           if ((await m.validate(token))?.id !== session.id) throw new Error('validate failed');
           if (!(await m.revoke(session.id))) throw new Error('revoke failed');
           if ((await m.validate(token)) !== null) throw new Error('revoked session still valid');
         })().catch((e) => { console.error(e); process.exit(1); });`,
      ],
      appDir,
    );
    console.log('✓ lifecycle through the installed @sessionkit/core');
  } catch (error) {
    failed++;
    console.error(
      `✗ lifecycle through the installed @sessionkit/core\n${error.stderr ?? error.message}`,
    );
  }
  if (failed > 0) {
    console.error(`${failed} tarball smoke check(s) failed.`);
    process.exitCode = 1;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
