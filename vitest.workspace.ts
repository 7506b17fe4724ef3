// One vitest project per package (each has its own vitest.config.ts).
export default ['packages/*'];
