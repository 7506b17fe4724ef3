#!/usr/bin/env node
// A local OpenID provider for the demo's "Sign in with SSO" (oidc-provider, a
// certified implementation), on loopback: no internet needed. Its login page is
// oidc-provider's development form (any password; the login must be a demo
// account's email). It sends back-channel Logout Tokens to the app when the
// user signs out here (http://127.0.0.1:<SSO_PORT>/session/end).
//
//   APP_URL=http://127.0.0.1:3000 SSO_PORT=3900 node scripts/sso-provider.mjs
//
// Demo only: fixed client secret, in-memory state, development interactions.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Provider from 'oidc-provider';

const appDir = dirname(dirname(fileURLToPath(import.meta.url)));
const appUrl = (process.env.APP_URL ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const port = Number(process.env.SSO_PORT ?? 3900);
const host = '127.0.0.1';
const issuer = `http://${host}:${port}`;
const users = JSON.parse(readFileSync(join(appDir, 'lib', 'demo-users.json'), 'utf8'));

/** The demo's client registration: the app reads the same values (lib/sso.ts). */
export const SSO_CLIENT = {
  id: 'pipeline-crm',
  secret: 'pipeline-crm-demo-sso-secret-not-for-production',
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: SSO_CLIENT.id,
      client_secret: SSO_CLIENT.secret,
      redirect_uris: [`${appUrl}/api/auth/callback/sso`],
      post_logout_redirect_uris: [`${appUrl}/login`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      backchannel_logout_uri: `${appUrl}/api/auth/backchannel-logout`,
      backchannel_logout_session_required: true,
    },
  ],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  conformIdTokenClaims: false,
  pkce: { required: () => false },
  cookies: { keys: ['pipeline-crm-demo-sso-cookie-key-0123456789'] },
  features: {
    devInteractions: { enabled: true },
    backchannelLogout: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  // The app is on loopback, which the provider's SSRF guard refuses for
  // back-channel requests: this provider only ever talks to the local app.
  fetch: (url, init = {}) => {
    const { dispatcher: _guard, ...rest } = init;
    return fetch(url, rest);
  },
  async findAccount(_ctx, id) {
    const user = users.find((u) => u.email === id || u.id === id);
    if (!user) return undefined;
    return {
      accountId: id,
      claims: () => ({ sub: id, email: user.email, email_verified: true, name: user.name }),
    };
  },
});
provider.proxy = false;
provider.on('backchannel.error', (_ctx, error, client) => {
  console.warn(`[sso] back-channel logout to ${client.clientId} failed: ${error.message}`);
});

provider.listen(port, host, () => {
  console.log(`[sso] OpenID provider at ${issuer} (sign out: ${issuer}/session/end)`);
});
