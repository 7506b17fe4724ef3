import { defineProject } from 'vitest/config';
import { sessionkitAliases } from '../../tooling/vitest-aliases.js';

export default defineProject({
  resolve: { alias: sessionkitAliases },
  test: { name: 'postgres', environment: 'node', include: ['src/**/*.test.ts'] },
});
