import { defineProject } from 'vitest/config';

// Unit tests of the example's own helpers (the Playwright suite in e2e/ covers the pages).
export default defineProject({
  test: { name: 'next-app', include: ['lib/**/*.test.ts'], environment: 'node' },
});
