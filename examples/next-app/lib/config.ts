// Settings read from the environment at run time (not baked in at build time),
// so one build serves the demo and the end-to-end runs with a short expiry.

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive whole number of seconds (got "${raw}").`);
  }
  return value;
}

export const config = {
  /** Absolute lifetime of a session (and of the NextAuth JWT). @default 30 days */
  sessionMaxAgeSeconds: positiveInt('SESSION_MAX_AGE_SECONDS', 30 * 24 * 60 * 60),
  /** How long before the end the header banner warns. @default 5 minutes */
  sessionWarnBeforeSeconds: positiveInt('SESSION_WARN_BEFORE_SECONDS', 5 * 60),
};
