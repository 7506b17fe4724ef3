import { defineProject } from 'vitest/config';
import { sessionkitAliases } from '../../tooling/vitest-aliases.js';

export default defineProject({
  resolve: { alias: sessionkitAliases },
  test: {
    name: 'redis',
    environment: 'node',
    include: ['src/**/*.test.ts'],
    // Each file starts its own redis-server(s); a Redis Cluster takes a few seconds.
    hookTimeout: 30_000,
  },
});
