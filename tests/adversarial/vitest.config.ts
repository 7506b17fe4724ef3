import { defineProject } from 'vitest/config';
import { sessionkitAliases } from '../../tooling/vitest-aliases.js';

export default defineProject({
  resolve: { alias: sessionkitAliases },
  test: {
    name: 'adversarial',
    environment: 'node',
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
