import { builtinModules, createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// An app whose Edge middleware imports a module that imports the store (its
// auth config, say) gets @sessionkit/redis in the Edge bundle. It must bring no
// ioredis and no Node.js module along: Next.js would fail on 'net' at import,
// before createSessionManager() can throw the EdgeRuntimeError naming the fix.
// Bundled here the way Next.js bundles Edge code (browser platform, the
// edge-light condition); core has its own Edge test (edge-import.test.ts).

/** The slice of esbuild's API used here. */
interface Esbuild {
  build(options: {
    entryPoints: string[];
    bundle: true;
    write: false;
    format: 'esm';
    platform: 'browser';
    conditions: string[];
    logLevel: 'silent';
    plugins: {
      name: string;
      setup(build: {
        onResolve(
          options: { filter: RegExp },
          callback: (args: { path: string }) => { path: string; external: boolean },
        ): void;
      }): void;
    }[];
  }): Promise<unknown>;
}

// esbuild is tsup's; found through it so the repo needs no dependency of its own.
const esbuild = createRequire(createRequire(import.meta.url).resolve('tsup'))('esbuild') as Esbuild;

const nodeModules = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
// Next.js's Edge runtime lets a module import node:crypto and fails only when
// one of its functions is called; edge-import.test.ts pins that none is called
// at import. Every other Node.js module (net, tls, dns: what ioredis needs)
// fails the Edge bundle itself.
const allowedOnEdge = new Set(['node:crypto']);

it('the store entry bundled for Edge imports no ioredis and no Node.js module but node:crypto', async () => {
  const imported = new Set<string>();
  await esbuild.build({
    entryPoints: [fileURLToPath(new URL('./index.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['edge-light', 'worker', 'browser'],
    logLevel: 'silent',
    plugins: [
      {
        name: 'record-imports',
        setup(build) {
          // Every bare import is recorded and left out: core is checked on its
          // own, and anything else would be a dependency of the store's.
          build.onResolve({ filter: /^[^./]/ }, (args) => {
            imported.add(args.path);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  const offending = [...imported].filter(
    (name) =>
      name === 'ioredis' ||
      name.startsWith('ioredis/') ||
      (nodeModules.has(name) && !allowedOnEdge.has(name)),
  );
  expect(offending).toEqual([]);
  // The check can fail: the store does import core at run time.
  expect(imported).toContain('@sessionkit/core');
});
