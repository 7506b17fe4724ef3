// One vitest project per package (each has its own vitest.config.ts), plus the
// cross-package adversarial suite and the example app's helpers.
export default ['packages/*', 'tests/*', 'examples/next-app'];
