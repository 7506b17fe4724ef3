/** @type {import('next').NextConfig} */
const nextConfig = {
  // One app, several builds (middleware variants): each in its own directory.
  distDir: process.env.DROP_IN_DIST_DIR || '.next',
};

export default nextConfig;
