import type { NextAuthOptions } from 'next-auth';
import { DEMO_USERS } from './demo-users';

// "Sign in with SSO": an OpenID provider the demo starts on loopback
// (scripts/sso-provider.mjs, started by `npm run demo` and the e2e run). Off
// unless SSO_ISSUER is set. Signing out there ends the app sessions it started
// (back-channel logout, app/api/auth/backchannel-logout/route.ts).

/** The demo's client registration at the local provider (demo only). */
const SSO_CLIENT = {
  id: 'pipeline-crm',
  secret: 'pipeline-crm-demo-sso-secret-not-for-production',
};

export const ssoIssuer = (): string | null => process.env.SSO_ISSUER ?? null;

/** The next-auth v4 provider for the local OpenID provider, or null when SSO is off. */
export function ssoProvider(): NextAuthOptions['providers'][number] | null {
  const issuer = ssoIssuer();
  if (!issuer) return null;
  return {
    id: 'sso',
    name: 'SSO',
    type: 'oauth',
    wellKnown: `${issuer}/.well-known/openid-configuration`,
    authorization: { params: { scope: 'openid email profile' } },
    idToken: true,
    checks: ['pkce', 'state'],
    clientId: SSO_CLIENT.id,
    clientSecret: SSO_CLIENT.secret,
    // The provider's account is the demo user with that email.
    profile(profile: { sub: string; email?: string; name?: string }) {
      const user = DEMO_USERS.find((u) => u.email === profile.email);
      return {
        id: user?.id ?? profile.sub,
        name: user?.name ?? profile.name ?? profile.sub,
        email: profile.email ?? null,
        role: user?.role,
      };
    },
  };
}
