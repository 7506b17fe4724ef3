// One vitest project per package (each has its own vitest.config.ts), plus the
// cross-package adversarial suite.
export default ['packages/*', 'tests/*'];
