import { afterAll, beforeAll } from 'vitest';
import { type OidcProviderHarness, startOidcProvider } from './oidc-provider.js';

// What the v4 and v5 account-linking tests share: the provider's accounts (a
// victim with two accounts, an attacker), the attacker's browser, and one
// real OpenID provider on loopback per test file.

export const LINKING_ACCOUNTS = [
  { sub: 'alice', email: 'alice@example.com', name: 'Alice' },
  { sub: 'alice-work', email: 'alice@work.example', name: 'Alice (work)' },
  { sub: 'mallory', email: 'mallory@example.net', name: 'Mallory' },
];
export const MALLORY_UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

/** The app's OAuth client at the provider, calling back to `${origin}/api/auth/callback/idp`. */
export function linkingClient(clientId: string, origin: string) {
  return {
    clientId,
    clientSecret: `${clientId}-client-secret-0123456789`,
    redirectUris: [`${origin}/api/auth/callback/idp`],
  };
}

/**
 * Starts the provider before this file's tests and stops it after; the
 * returned function gives the running harness.
 */
export function oidcProviderPerFile(
  client: ReturnType<typeof linkingClient>,
): () => OidcProviderHarness {
  let idp: OidcProviderHarness | undefined;
  beforeAll(async () => {
    idp = await startOidcProvider({ accounts: LINKING_ACCOUNTS, clients: [client] });
  });
  afterAll(async () => {
    await idp?.close();
  });
  return () => {
    if (!idp) throw new Error('the OpenID provider is not running (use it inside a test)');
    return idp;
  };
}
