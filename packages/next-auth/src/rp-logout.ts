import { InvalidInputError, isSessionId, type SessionManager } from '@sessionkit/core';

// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): signing out in
// the app ends the sessionkit session and sends the browser to the provider's
// end_session_endpoint, with the ID token recorded at sign-in as id_token_hint,
// so the provider session (and, by back-channel logout, the user's other apps)
// ends too. Works with next-auth v4 and v5: it reads the tracked session only.

const DISCOVERY_TIMEOUT_MS = 5_000;
const endpoints = new Map<string, Promise<string | null>>();

export interface FederatedSignOutOptions {
  manager: SessionManager;
  /**
   * The caller's verified session: `await getServerSession(authOptions)` (v4)
   * or `await auth()` (v5), as `withSessionTracking` shapes it.
   */
  session: { sessionId?: unknown; user?: object | null } | null | undefined;
  /**
   * Where the provider sends the browser afterwards. It must be registered at
   * the provider as a post-logout redirect URI of the app's client.
   */
  postLogoutRedirectUri: string;
  /** Opaque value the provider hands back on the redirect. */
  state?: string;
  /**
   * The provider's end_session_endpoint. @default discovered from the session's
   * issuer (`<issuer>/.well-known/openid-configuration`), cached per issuer
   */
  endSessionEndpoint?: string;
}

/**
 * Ends the caller's sessionkit session (REVOKED, reason `logged_out`) and
 * returns the URL of the provider's end_session_endpoint to redirect the
 * browser to: `id_token_hint` (the ID token kept server-side at sign-in),
 * `post_logout_redirect_uri` and `state`. Returns null when the session did not
 * come from an OpenID provider, or its ID token was not kept (then only the
 * app session ends: redirect to your own page). The next request with the old
 * cookie is signed out and next-auth clears the cookie.
 *
 * @example
 * // app/api/auth/federated-logout/route.ts (v5; v4: getServerSession(authOptions))
 * export async function POST() {
 *   const url = await federatedSignOutUrl({ manager, session: await auth(), postLogoutRedirectUri: `${origin}/` });
 *   return Response.redirect(url ?? `${origin}/`, 303);
 * }
 */
export async function federatedSignOutUrl(
  options: FederatedSignOutOptions,
): Promise<string | null> {
  const fn = 'federatedSignOutUrl';
  const manager = options?.manager;
  if (!manager || typeof manager.getOrigin !== 'function') {
    throw new InvalidInputError(`${fn}: options.manager must be a SessionManager.`);
  }
  let redirect: URL;
  try {
    redirect = new URL(options.postLogoutRedirectUri);
  } catch {
    throw new InvalidInputError(`${fn}: postLogoutRedirectUri must be an absolute URL.`);
  }
  const sessionId = options.session?.sessionId;
  const userId = (options.session?.user as { id?: unknown } | null | undefined)?.id;
  if (!isSessionId(sessionId) || typeof userId !== 'string') return null;
  // Read before the session ends: the origin is kept only while it is ACTIVE.
  const origin = await manager.getOrigin(sessionId);
  await manager.revoke(sessionId, { userId, reason: 'logged_out' });
  if (!origin?.idToken) return null;
  const endpoint = options.endSessionEndpoint ?? (await discoverEndSession(origin.issuer));
  if (!endpoint) return null;
  const url = new URL(endpoint);
  url.searchParams.set('id_token_hint', origin.idToken);
  url.searchParams.set('post_logout_redirect_uri', redirect.href);
  if (options.state !== undefined) url.searchParams.set('state', options.state);
  return url.href;
}

function discoverEndSession(issuer: string): Promise<string | null> {
  let found = endpoints.get(issuer);
  if (!found) {
    found = (async () => {
      const response = await fetch(
        `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
        {
          headers: { accept: 'application/json' },
          redirect: 'error',
          signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
        },
      );
      if (!response.ok) throw new Error(`discovery answered ${response.status}`);
      const metadata = (await response.json()) as {
        issuer?: unknown;
        end_session_endpoint?: unknown;
      };
      if (metadata.issuer !== issuer)
        throw new Error('discovery metadata does not match the issuer');
      return typeof metadata.end_session_endpoint === 'string'
        ? metadata.end_session_endpoint
        : null;
    })();
    endpoints.set(issuer, found);
    // A failed discovery is retried next time, not cached.
    found.catch(() => endpoints.delete(issuer));
  }
  return found;
}
