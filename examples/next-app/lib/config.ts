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

function limitPolicy(): 'revoke-oldest' | 'reject' | 'ask' {
  const raw = process.env.SESSIONKIT_LIMIT_POLICY;
  if (raw === undefined || raw === '') return 'ask';
  if (raw === 'revoke-oldest' || raw === 'reject' || raw === 'ask') return raw;
  throw new Error(`SESSIONKIT_LIMIT_POLICY must be revoke-oldest, reject or ask (got "${raw}").`);
}

function suspiciousPolicy(): 'flag' | 'challenge' {
  const raw = process.env.SESSIONKIT_SUSPICIOUS_POLICY;
  if (raw === undefined || raw === '') return 'flag';
  if (raw === 'flag' || raw === 'challenge') return raw;
  throw new Error(`SESSIONKIT_SUSPICIOUS_POLICY must be flag or challenge (got "${raw}").`);
}

export const config = {
  /** Absolute lifetime of a session (and of the NextAuth JWT). @default 30 days */
  sessionMaxAgeSeconds: positiveInt('SESSION_MAX_AGE_SECONDS', 30 * 24 * 60 * 60),
  /** How long before the end the header banner warns. @default 5 minutes */
  sessionWarnBeforeSeconds: positiveInt('SESSION_WARN_BEFORE_SECONDS', 5 * 60),
  /** Live sessions per user (the e2e limit test runs with 2). @default 100 */
  maxSessionsPerUser: positiveInt('SESSIONKIT_MAX_SESSIONS', 100),
  /** At the limit, the user chooses which device to sign out. @default 'ask' */
  limitPolicy: limitPolicy(),
  /**
   * What a risky sign-in (new country, impossible travel, a burst) gets: 'flag'
   * records the risk and emails the user; 'challenge' also holds sensitive
   * actions until the user passes the "Verify it's you" check. @default 'flag'
   */
  suspiciousPolicy: suspiciousPolicy(),
};
