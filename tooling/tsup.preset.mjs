// One build preset for every @sessionkit package: ESM + CJS + .d.ts/.d.cts,
// Node 20 target, sources maps, no bundling of dependencies.
import { defineConfig } from 'tsup';

/**
 * @param {Record<string, string>} entry entry name -> source file
 * @param {import('tsup').Options} [overrides]
 */
export function sessionkitPreset(entry, overrides = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    treeshake: true,
    splitting: true,
    outDir: 'dist',
    ...overrides,
  });
}
