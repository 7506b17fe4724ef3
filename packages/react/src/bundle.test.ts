// @vitest-environment node
// Builds the package with its real tsup config (without .d.ts, into a temp dir)
// and checks what Next.js will see: the 'use client' directive first, and only
// the peers react and next-auth imported, no server code.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Options } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let outDir: string;
let esm: string;
let cjs: string;

beforeAll(async () => {
  // Loaded by path so tsc does not typecheck the untyped shared preset it imports.
  const configPath = new URL('../tsup.config.ts', import.meta.url).pathname;
  const { default: config } = (await import(configPath)) as { default: Options };
  // tsup externalises the dependencies of the package.json in the working
  // directory, which is the repo root under the workspace runner: name ours.
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
  outDir = await mkdtemp(join(tmpdir(), 'sessionkit-react-'));
  await build({
    ...config,
    config: false,
    outDir,
    dts: false,
    sourcemap: false,
    silent: true,
    entry: { index: new URL('./index.ts', import.meta.url).pathname },
    tsconfig: new URL('../tsconfig.json', import.meta.url).pathname,
    external: Object.keys(pkg.peerDependencies),
  });
  esm = await readFile(join(outDir, 'index.js'), 'utf8');
  cjs = await readFile(join(outDir, 'index.cjs'), 'utf8');
}, 60_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

const imported = (code: string) =>
  [...code.matchAll(/(?:from\s+|require\()\s*['"]([^'"]+)['"]/g)].map((m) => m[1]).sort();

describe('built bundle', () => {
  it("starts with the 'use client' directive in ESM and CJS", () => {
    expect(esm.startsWith("'use client';")).toBe(true);
    expect(cjs.startsWith("'use client';")).toBe(true);
  });

  it('imports only react and next-auth/react: no server code, not even @sessionkit/core', () => {
    const allowed = ['next-auth/react', 'react', 'react/jsx-runtime'];
    expect([...new Set(imported(esm))]).toEqual(allowed);
    expect([...new Set(imported(cjs))]).toEqual(allowed);
    expect(esm).not.toContain('@sessionkit/core');
  });
});
