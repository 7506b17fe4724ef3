// Everything the test suites, bench/ and the e2e scripts share to start real
// services on this machine. Plain ESM so node runs it without a build step;
// the types are in index.d.mts.
export * from './chromium.mjs';
export * from './ports.mjs';
export * from './postgres.mjs';
export * from './redis.mjs';
export * from './stale-packages.mjs';
