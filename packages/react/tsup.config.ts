import { sessionkitPreset } from '../../tooling/tsup.preset.mjs';

// tsup drops module-level directives, so 'use client' is re-added as a banner:
// without it Next.js would treat the hooks as server code and refuse them.
// Rollup's treeshake pass (the preset's `treeshake: true`) strips that banner
// again, so it is off here (esbuild still drops unused code), and so is code
// splitting, whose ESM-to-CJS pass puts helpers above the directive.
// Browsers, not Node, run this bundle: target the syntax every current one ships.
export default sessionkitPreset(
  { index: 'src/index.ts' },
  { banner: { js: "'use client';" }, treeshake: false, splitting: false, target: 'es2022' },
);
