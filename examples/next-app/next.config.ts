import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // The monorepo root, so Turbopack follows the workspace links to packages/*/dist.
  turbopack: { root: fileURLToPath(new URL('../..', import.meta.url)) },
  // Loaded by Node at run time instead of bundled: geoip-lite reads its ~150 MB
  // database from files next to its own code; the database clients are large
  // and keep native-looking dynamic requires.
  serverExternalPackages: ['geoip-lite', 'ioredis', 'mongoose'],
  poweredByHeader: false,
};

export default nextConfig;
