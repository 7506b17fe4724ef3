// A real OpenID provider (`oidc-provider`, certified) on a free loopback port,
// for end-to-end tests of next-auth's OAuth/OIDC flows: discovery, authorize,
// token, userinfo and JWKS are the real endpoints. The login and consent
// screens are replaced by `loginAs(accountId)`: the next interaction signs that
// account in and grants what the client asked for. Reused by every test that
// needs an identity provider (account linking, back-channel logout).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

export interface OidcAccount {
  sub: string;
  email: string;
  name: string;
}

export interface OidcClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** Extra client metadata, e.g. `backchannel_logout_uri`. */
  metadata?: Record<string, unknown>;
}

export interface OidcProviderHarness {
  /** `http://127.0.0.1:<port>`: the provider's issuer. */
  issuer: string;
  provider: Provider;
  /** The account the next login interaction signs in. */
  loginAs(sub: string): void;
  /**
   * Plays the browser at the provider: follows the authorization URL next-auth
   * redirected to, through login and consent, and returns the redirect back to
   * the client (its callback URL with `code` and `state`).
   */
  authorize(authorizationUrl: string): Promise<URL>;
  /**
   * Plays the browser of the last `authorize()` at the provider's
   * end_session_endpoint (RP-initiated logout): opens `endSessionUrl`, confirms
   * the logout (`logout=yes`: the whole provider session ends, back-channel
   * Logout Tokens are sent), and returns where the provider redirects to.
   */
  endSession(endSessionUrl: string): Promise<URL>;
  /** The provider's private signing key (JWK, kid 'test'): for forging tokens in tests. */
  signingKey: Record<string, unknown>;
  close(): Promise<void>;
}

export async function startOidcProvider(options: {
  accounts: OidcAccount[];
  clients: OidcClient[];
  /** Extra provider configuration (features, ttl, …), merged last. */
  configuration?: Partial<Configuration>;
}): Promise<OidcProviderHarness> {
  const accounts = new Map(options.accounts.map((a) => [a.sub, a]));
  let nextLogin: string | null = null;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'test' };

  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;

  const configuration: Configuration = {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      ...c.metadata,
    })),
    jwks: { keys: [signingKey] },
    cookies: { keys: ['sessionkit-oidc-test-cookie-key-0123456789'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    pkce: { required: () => false },
    // Put the scope's claims (email, name) into the ID token too: next-auth v4
    // with `idToken: true` reads the profile from the ID token, not userinfo.
    conformIdTokenClaims: false,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    // Outgoing requests (back-channel Logout Tokens) go to the app on loopback,
    // which the provider's SSRF guard refuses: the harness never leaves the machine.
    fetch: (url: string | URL | Request, init?: RequestInit) => {
      const { dispatcher: _guard, ...rest } = (init ?? {}) as RequestInit & {
        dispatcher?: unknown;
      };
      return fetch(url, rest);
    },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    async findAccount(_ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: () => ({ ...account, email_verified: true }),
      };
    },
    ...options.configuration,
  };
  const provider = new Provider(issuer, configuration);
  // Quiet: the provider reports expected client errors as 'server_error' events.
  provider.on('server_error', () => {});

  const callback = provider.callback();
  server.on('request', (req, res) => {
    const match = /^\/interaction\/([^/?]+)/.exec(req.url ?? '');
    if (!match) {
      callback(req, res);
      return;
    }
    finishInteraction(provider, req, res, () => nextLogin).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });

  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const remember = (response: Response) => {
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(header)) jar.delete(name);
      else jar.set(name, value);
    }
  };

  return {
    issuer,
    provider,
    loginAs(sub) {
      if (!accounts.has(sub)) throw new Error(`oidc-provider harness: no account '${sub}'`);
      nextLogin = sub;
    },
    async authorize(authorizationUrl) {
      // Each authorization is a fresh browser at the provider: no provider
      // session carried over from the previous account's login.
      jar.clear();
      let url = new URL(authorizationUrl);
      for (let hop = 0; hop < 10; hop += 1) {
        if (url.origin !== issuer) return url;
        const response = await fetch(url, {
          redirect: 'manual',
          headers: { cookie: cookieHeader() },
        });
        remember(response);
        const location = response.headers.get('location');
        if (!location) {
          throw new Error(
            `oidc-provider harness: ${url.pathname} answered ${response.status} without a redirect: ${(await response.text()).slice(0, 300)}`,
          );
        }
        url = new URL(location, url);
      }
      throw new Error('oidc-provider harness: too many redirects');
    },
    signingKey,
    async endSession(endSessionUrl) {
      const page = await fetch(endSessionUrl, {
        redirect: 'manual',
        headers: { cookie: cookieHeader() },
      });
      remember(page);
      const html = await page.text();
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
      const action = /action="([^"]+)"/.exec(html)?.[1];
      if (!xsrf || !action) {
        throw new Error(
          `oidc-provider harness: no logout form at ${endSessionUrl} (${page.status}): ${html.slice(0, 300)}`,
        );
      }
      const confirm = await fetch(new URL(action.replaceAll('&amp;', '&'), issuer), {
        method: 'POST',
        redirect: 'manual',
        headers: {
          cookie: cookieHeader(),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ xsrf, logout: 'yes' }),
      });
      remember(confirm);
      const location = confirm.headers.get('location');
      if (!location) {
        throw new Error(
          `oidc-provider harness: logout confirm answered ${confirm.status}: ${(await confirm.text()).slice(0, 300)}`,
        );
      }
      return new URL(location, issuer);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Answers a login or consent prompt without a screen: `loginAs` decides who signs in. */
async function finishInteraction(
  provider: Provider,
  req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
  nextLogin: () => string | null,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    const accountId = nextLogin();
    if (!accountId) throw new Error('oidc-provider harness: call loginAs(sub) before signing in');
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId } },
      {
        mergeWithLastSubmission: false,
      },
    );
    return;
  }
  // consent: grant exactly what the client asked for
  const accountId = session?.accountId;
  const grant = new provider.Grant({ accountId, clientId: String(params.client_id) });
  const missing = prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { consent: { grantId } },
    {
      mergeWithLastSubmission: true,
    },
  );
}
