// Tests import packages by their public names; these aliases point those names at
// the sources so the suite runs without a build and coverage maps to src/.
import { fileURLToPath } from 'node:url';

const src = (path: string) => fileURLToPath(new URL(`../packages/${path}`, import.meta.url));

export const sessionkitAliases = [
  { find: /^@sessionkit\/core\/testing$/, replacement: src('core/src/testing/index.ts') },
  { find: /^@sessionkit\/core\/store$/, replacement: src('core/src/store.ts') },
  { find: /^@sessionkit\/core\/geoip$/, replacement: src('core/src/geoip.ts') },
  { find: /^@sessionkit\/core$/, replacement: src('core/src/index.ts') },
  { find: /^@sessionkit\/redis$/, replacement: src('redis/src/index.ts') },
  { find: /^@sessionkit\/mongo$/, replacement: src('mongo/src/index.ts') },
  { find: /^@sessionkit\/next-auth$/, replacement: src('next-auth/src/index.ts') },
  { find: /^@sessionkit\/react$/, replacement: src('react/src/index.ts') },
];
