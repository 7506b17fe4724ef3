// No imports: the step-up form (a client component) reads DEMO_TOTP_CODE too.

/**
 * How recent a step-up verification must be before signing out other devices,
 * all at once or one by one (OWASP ASVS 5.0 §7.5.2). Used by app/api/sessions/route.ts.
 */
export const REVOKE_ALL_NEEDS_VERIFICATION_WITHIN = 5 * 60_000;

/**
 * The demo's stand-in for a TOTP authenticator: a real app checks the user's
 * six-digit code against their enrolled secret (e.g. with otplib) instead.
 */
export const DEMO_TOTP_CODE = '246810';
