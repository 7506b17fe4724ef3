import { defineProject } from 'vitest/config';
import { sessionkitAliases } from '../../tooling/vitest-aliases.js';

export default defineProject({
  resolve: { alias: sessionkitAliases },
  test: {
    name: 'next-auth',
    environment: 'node',
    include: ['src/**/*.test.ts'],
    // next-auth v5 imports `next/server` without an extension, which only a
    // bundler resolves: let vite transform it instead of Node loading it.
    server: { deps: { inline: [/next-auth@5/, /next-auth-v5/] } },
  },
});
