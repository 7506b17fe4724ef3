import { InvalidInputError, type SessionManager } from '@sessionkit/core';
import type { JWTPayload, JWTVerifyGetKey } from 'jose';
import type { PagesApiRequest, PagesApiResponse } from './route-handlers.js';

// OpenID Connect Back-Channel Logout 1.0 (https://openid.net/specs/openid-connect-backchannel-1_0.html):
// the provider POSTs a signed Logout Token when a user's session there ends;
// this receiver validates it exactly as §2.6 says and ends the matching
// sessionkit sessions (end reason `idp_logout`). See docs/sso.md.

const BACKCHANNEL_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
// Asymmetric algorithms only: `none` and HMAC (a key the app shares) never verify a Logout Token.
const DEFAULT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
const MAX_BODY_BYTES = 64 * 1024;
const DISCOVERY_TIMEOUT_MS = 5_000;

type Awaitable<T> = T | PromiseLike<T>;

/** One identity provider whose Logout Tokens the app accepts. */
export interface BackchannelProvider {
  /** The provider's issuer identifier, exactly as in its metadata and tokens (`iss`). */
  issuer: string;
  /** The app's client id at the provider (the Logout Token's `aud`). */
  clientId: string;
  /** The provider's JWKS URL. @default `jwks_uri` from `<issuer>/.well-known/openid-configuration` */
  jwksUri?: string;
  /**
   * Signature algorithms accepted (the client's `id_token_signed_response_alg`).
   * @default every asymmetric JWS algorithm (RS*, PS*, ES*, EdDSA); never `none` or HS*
   */
  algorithms?: string[];
}

/**
 * A next-auth provider configuration (v4 `KeycloakProvider({...})`, v5
 * `Keycloak({...})`, or an inline OIDC provider): its `issuer` (or
 * `wellKnown`) and `clientId` are read, directly or from its `options`.
 */
export interface NextAuthProviderLike {
  issuer?: string;
  wellKnown?: string;
  clientId?: string;
  options?: { issuer?: string; clientId?: string } | undefined;
  type?: string;
}

/**
 * Remembers the Logout Tokens already acted on (`jti` per issuer) until they
 * would be too old anyway. The default is in this process's memory: with
 * several instances, pass a shared one (e.g. Redis `SET key 1 NX PX`), or rely
 * on the fact that a replayed token only ever ends sessions created before it
 * was issued (docs/sso.md, "Replay").
 */
export interface ReplayCache {
  /** Whether `key` was remembered and has not expired. */
  seen(key: string): Awaitable<boolean>;
  /** Remembers `key` until `until`. */
  remember(key: string, until: Date): Awaitable<void>;
}

export interface BackchannelLogoutOptions {
  manager: SessionManager;
  /**
   * The identity providers to accept Logout Tokens from: `{ issuer, clientId }`
   * entries, or your next-auth `providers` list as is (credentials, email and
   * WebAuthn providers in it are skipped; every other one needs an issuer).
   */
  providers: readonly (BackchannelProvider | NextAuthProviderLike | object)[];
  /** Oldest `iat` accepted, in seconds: a Logout Token is sent at once. @default 300 */
  maxAge?: number;
  /** Clock skew allowed between the provider and the app, in seconds. @default 30 */
  clockTolerance?: number;
  /** @default a bounded in-memory cache (10 000 entries) */
  replayCache?: ReplayCache;
  /** Clock (epoch ms); tests drive it. @default Date.now */
  now?: () => number;
  /**
   * JWKS cache tuning (jose's `createRemoteJWKSet`): a token signed with an
   * unknown `kid` refetches the JWKS (key rotation) at most once per
   * `cooldownDuration` ms. @default { cooldownDuration: 30_000, cacheMaxAge: 600_000 }
   */
  jwks?: { cooldownDuration?: number; cacheMaxAge?: number; timeoutDuration?: number };
}

/** App Router: `app/api/auth/backchannel-logout/route.ts` exports `POST`. */
export interface BackchannelLogoutHandler {
  POST(request: Request): Promise<Response>;
}

interface Answer {
  status: 200 | 400 | 405;
  body: { error: string; error_description: string } | null;
}

interface ResolvedProvider {
  issuer: string;
  clientId: string;
  jwksUri: string | undefined;
  algorithms: string[];
  keys: Promise<JWTVerifyGetKey> | null;
}

class LogoutTokenError extends Error {
  constructor(
    readonly code: 'invalid_request' | 'temporarily_unavailable',
    message: string,
  ) {
    super(message);
  }
}

const invalid = (message: string) => new LogoutTokenError('invalid_request', message);

/**
 * The back-channel logout receiver for the App Router. Register its URL at
 * the provider as the client's Back-Channel Logout URI (docs/sso.md).
 *
 * @example
 * // app/api/auth/backchannel-logout/route.ts
 * export const { POST } = createBackchannelLogoutHandler({
 *   manager,
 *   providers: [{ issuer: process.env.KEYCLOAK_ISSUER!, clientId: process.env.KEYCLOAK_ID! }],
 * });
 */
export function createBackchannelLogoutHandler(
  options: BackchannelLogoutOptions,
): BackchannelLogoutHandler {
  const receive = createReceiver('createBackchannelLogoutHandler', options);
  return {
    async POST(request: Request): Promise<Response> {
      const answer = await receive(request.method, request.headers.get('content-type'), () =>
        readBody(request),
      );
      return toResponse(answer);
    },
  };
}

/**
 * The same receiver for the Pages Router: `pages/api/auth/backchannel-logout.ts`
 * default-exports it. Works with Next's body parser on (the default) or off.
 */
export function createPagesBackchannelLogoutHandler<
  Req extends PagesApiRequest & { body?: unknown } = PagesApiRequest & { body?: unknown },
  Res extends PagesApiResponse = PagesApiResponse,
>(options: BackchannelLogoutOptions): (req: Req, res: Res) => Promise<void> {
  const receive = createReceiver('createPagesBackchannelLogoutHandler', options);
  return async (req, res) => {
    const type = req.headers['content-type'];
    const answer = await receive(
      (req.method ?? 'GET').toUpperCase(),
      Array.isArray(type) ? (type[0] ?? null) : (type ?? null),
      () => readPagesBody(req),
    );
    res.statusCode = answer.status;
    for (const [name, value] of Object.entries(answerHeaders(answer))) res.setHeader(name, value);
    res.end(answer.body === null ? undefined : JSON.stringify(answer.body));
  };
}

function createReceiver(fn: string, options: BackchannelLogoutOptions) {
  const manager = options?.manager;
  if (!manager || typeof manager.endFederatedSessions !== 'function') {
    throw new InvalidInputError(
      `${fn}: options.manager must be a SessionManager from createSessionManager({ store }).`,
    );
  }
  const providers = resolveProviders(fn, options.providers);
  const maxAge = seconds(fn, 'maxAge', options.maxAge, 300);
  const clockTolerance = seconds(fn, 'clockTolerance', options.clockTolerance, 30);
  const now = options.now ?? Date.now;
  const replay = options.replayCache ?? createMemoryReplayCache(now);
  const jwksOptions = {
    cooldownDuration: options.jwks?.cooldownDuration ?? 30_000,
    cacheMaxAge: options.jwks?.cacheMaxAge ?? 600_000,
    timeoutDuration: options.jwks?.timeoutDuration ?? DISCOVERY_TIMEOUT_MS,
  };

  const keysOf = (provider: ResolvedProvider): Promise<JWTVerifyGetKey> => {
    provider.keys ??= (async () => {
      const { createRemoteJWKSet } = await import('jose');
      const uri = provider.jwksUri ?? (await discoverJwksUri(provider.issuer));
      return createRemoteJWKSet(new URL(uri), jwksOptions);
    })();
    // A failed discovery is retried by the next request, not cached.
    provider.keys.catch(() => {
      provider.keys = null;
    });
    return provider.keys;
  };

  return async (
    method: string,
    contentType: string | null,
    body: () => Promise<string>,
  ): Promise<Answer> => {
    if (method !== 'POST') {
      return { status: 405, body: { error: 'invalid_request', error_description: 'Use POST.' } };
    }
    try {
      if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(contentType ?? '')) {
        throw invalid('The Logout Token must be POSTed as application/x-www-form-urlencoded.');
      }
      const form = new URLSearchParams(await body());
      const tokens = form.getAll('logout_token');
      if (tokens.length !== 1 || !tokens[0]) {
        throw invalid('Send exactly one logout_token parameter.');
      }
      const claims = await validateLogoutToken(tokens[0]);
      const key = `${claims.iss}\u0000${claims.jti}`;
      if (await replay.seen(key)) throw invalid('This Logout Token (jti) was already received.');
      const issuedAt = (claims.iat as number) * 1000;
      try {
        await manager.endFederatedSessions({
          issuer: claims.iss as string,
          ...(typeof claims.sid === 'string' ? { sid: claims.sid } : {}),
          ...(typeof claims.sub === 'string' ? { sub: claims.sub } : {}),
          // A session created after the token was issued (and its clock skew) is never ended by it.
          createdBefore: new Date(issuedAt + clockTolerance * 1000),
        });
      } catch {
        // The store could not answer: the logout failed (§2.8: 400), and the
        // jti is not remembered, so the provider may deliver it again.
        throw new LogoutTokenError(
          'temporarily_unavailable',
          'The sessions could not be ended now; try again.',
        );
      }
      await replay.remember(key, new Date(issuedAt + (maxAge + clockTolerance) * 1000));
      return { status: 200, body: null };
    } catch (error) {
      if (error instanceof LogoutTokenError) {
        return { status: 400, body: { error: error.code, error_description: error.message } };
      }
      return {
        status: 400,
        body: { error: 'invalid_request', error_description: 'The request could not be read.' },
      };
    }
  };

  /** §2.6 steps 1–7, in order; throws LogoutTokenError. */
  async function validateLogoutToken(token: string): Promise<JWTPayload> {
    const parts = token.split('.');
    // Step 1: encrypted Logout Tokens (JWE, five parts) are not supported here.
    if (parts.length !== 3) throw invalid('The Logout Token is not a signed JWT (JWS).');
    // The unverified issuer only picks which provider's keys verify it.
    const { decodeJwt, errors, jwtVerify } = await import('jose');
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw invalid('The Logout Token could not be decoded.');
    }
    const provider = providers.find((p) => p.issuer === unverified.iss);
    if (!provider) throw invalid('The Logout Token comes from an issuer this app does not accept.');
    let keys: JWTVerifyGetKey;
    try {
      keys = await keysOf(provider);
    } catch {
      throw new LogoutTokenError(
        'temporarily_unavailable',
        "The provider's signing keys could not be fetched.",
      );
    }
    let payload: JWTPayload;
    let typ: string | undefined;
    try {
      // Steps 2–3: signature (JWKS, rotation handled), alg, iss, aud, iat window, exp if present.
      const verified = await jwtVerify(token, keys, {
        issuer: provider.issuer,
        audience: provider.clientId,
        algorithms: provider.algorithms,
        maxTokenAge: maxAge,
        clockTolerance,
        currentDate: new Date(now()),
        requiredClaims: ['iss', 'aud', 'iat', 'jti', 'events'],
      });
      payload = verified.payload;
      typ = verified.protectedHeader.typ;
    } catch (error) {
      if (error instanceof errors.JWKSTimeout) {
        throw new LogoutTokenError(
          'temporarily_unavailable',
          "The provider's signing keys could not be fetched.",
        );
      }
      throw invalid(describeJoseError(error));
    }
    // Explicit typing (§2.4) where the provider uses it: an ID or access token is not a Logout Token.
    if (typ !== undefined && !/^(application\/)?(logout\+jwt|jwt)$/i.test(typ)) {
      throw invalid(`A token of type '${typ.slice(0, 40)}' is not a Logout Token.`);
    }
    // Multiple audiences: the token must be meant for this client (azp, as for ID Tokens).
    if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== undefined) {
      if (payload.azp !== provider.clientId) throw invalid('The Logout Token names another azp.');
    }
    // Step 4: sub, sid or both.
    const hasSub = typeof payload.sub === 'string' && payload.sub !== '';
    const hasSid = typeof payload.sid === 'string' && payload.sid !== '';
    if (!hasSub && !hasSid) throw invalid('The Logout Token has neither sub nor sid.');
    if (payload.sub !== undefined && !hasSub) throw invalid('The Logout Token sub is malformed.');
    if (payload.sid !== undefined && !hasSid) throw invalid('The Logout Token sid is malformed.');
    // Step 5: the back-channel logout event, as a JSON object.
    const events = payload.events;
    const event =
      events !== null && typeof events === 'object' && !Array.isArray(events)
        ? (events as Record<string, unknown>)[BACKCHANNEL_EVENT]
        : undefined;
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      throw invalid(`The Logout Token's events claim lacks ${BACKCHANNEL_EVENT}.`);
    }
    // Step 6: no nonce (an ID Token is not a Logout Token).
    if ('nonce' in payload) throw invalid('A Logout Token must not contain a nonce.');
    if (typeof payload.jti !== 'string' || payload.jti === '' || payload.jti.length > 256) {
      throw invalid('The Logout Token jti is malformed.');
    }
    return payload;
  }
}

function describeJoseError(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  const claim = (error as { claim?: unknown })?.claim;
  switch (code) {
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `The Logout Token's ${typeof claim === 'string' ? claim : ''} claim is not acceptable.`;
    case 'ERR_JWT_EXPIRED':
      return 'The Logout Token has expired.';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'The Logout Token is signed with an algorithm this app does not accept.';
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return "The Logout Token's signature does not verify with the provider's keys.";
    default:
      return 'The Logout Token is not valid.';
  }
}

async function discoverJwksUri(issuer: string): Promise<string> {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(url, {
    headers: { accept: 'application/json' },
    redirect: 'error',
    signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`discovery answered ${response.status}`);
  const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
  // The metadata must be the issuer's own (OpenID Connect Discovery §4.3).
  if (metadata.issuer !== issuer || typeof metadata.jwks_uri !== 'string') {
    throw new Error('discovery metadata does not match the issuer');
  }
  return metadata.jwks_uri;
}

function resolveProviders(fn: string, providers: unknown): ResolvedProvider[] {
  if (!Array.isArray(providers) || providers.length === 0) {
    throw new InvalidInputError(
      `${fn}: options.providers must list the identity providers to accept, e.g. [{ issuer, clientId }].`,
    );
  }
  const usable = providers.filter(
    (entry: { type?: unknown }) =>
      !['credentials', 'email', 'webauthn'].includes(String(entry?.type)),
  );
  if (usable.length === 0) {
    throw new InvalidInputError(
      `${fn}: options.providers lists no OpenID provider (credentials, email and WebAuthn providers have no back-channel logout).`,
    );
  }
  return usable.map((entry: NextAuthProviderLike & Partial<BackchannelProvider>, i) => {
    const issuer =
      entry?.issuer ??
      entry?.options?.issuer ??
      (typeof entry?.wellKnown === 'string'
        ? entry.wellKnown.replace(/\/\.well-known\/openid-configuration$/, '')
        : undefined);
    const clientId = entry?.clientId ?? entry?.options?.clientId;
    if (typeof issuer !== 'string' || !/^https?:\/\//.test(issuer)) {
      throw new InvalidInputError(
        `${fn}: providers[${i}] needs its issuer URL (e.g. https://idp.example.com/realms/main).`,
      );
    }
    if (typeof clientId !== 'string' || clientId === '') {
      throw new InvalidInputError(
        `${fn}: providers[${i}] needs the app's clientId at the provider.`,
      );
    }
    const algorithms = entry.algorithms ?? DEFAULT_ALGORITHMS;
    if (
      !Array.isArray(algorithms) ||
      algorithms.length === 0 ||
      algorithms.some((a) => typeof a !== 'string' || a === 'none' || /^HS/i.test(a))
    ) {
      throw new InvalidInputError(
        `${fn}: providers[${i}].algorithms must list asymmetric JWS algorithms (e.g. ['RS256']); never 'none' or HS*.`,
      );
    }
    return {
      issuer,
      clientId,
      jwksUri: typeof entry.jwksUri === 'string' ? entry.jwksUri : undefined,
      algorithms: [...algorithms],
      keys: null,
    };
  });
}

function seconds(fn: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 86_400) {
    throw new InvalidInputError(`${fn}: ${name} must be a number of seconds from 0 to 86400.`);
  }
  return value;
}

/** The default replay cache: this process only, at most `max` entries, expired ones dropped first. */
export function createMemoryReplayCache(now: () => number = Date.now, max = 10_000): ReplayCache {
  const entries = new Map<string, number>();
  return {
    seen(key) {
      const until = entries.get(key);
      if (until === undefined) return false;
      if (until <= now()) {
        entries.delete(key);
        return false;
      }
      return true;
    },
    remember(key, until) {
      entries.delete(key);
      entries.set(key, until.getTime());
      if (entries.size <= max) return;
      const at = now();
      for (const [k, u] of entries) if (u <= at) entries.delete(k);
      // Still full: drop the oldest insertions (a Map iterates in insertion order).
      for (const k of entries.keys()) {
        if (entries.size <= max) break;
        entries.delete(k);
      }
    },
  };
}

async function readBody(request: Request): Promise<string> {
  const length = Number(request.headers.get('content-length') ?? 0);
  if (length > MAX_BODY_BYTES) throw invalid('The request body is too large.');
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) throw invalid('The request body is too large.');
  return text;
}

async function readPagesBody(req: PagesApiRequest & { body?: unknown }): Promise<string> {
  const body = req.body;
  if (typeof body === 'string') return body;
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  // Next's body parser (on by default) has already parsed the form.
  if (body !== null && typeof body === 'object') {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
      for (const v of Array.isArray(value) ? value : [value]) form.append(name, String(v));
    }
    return form.toString();
  }
  // Body parser off: read the stream, bounded.
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as unknown as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw invalid('The request body is too large.');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function answerHeaders(answer: Answer): Record<string, string> {
  const headers: Record<string, string> = {
    // §2.8: the response must not be cached.
    'Cache-Control': 'no-cache, no-store',
    Pragma: 'no-cache',
  };
  if (answer.body !== null) headers['Content-Type'] = 'application/json';
  if (answer.status === 405) headers.Allow = 'POST';
  return headers;
}

function toResponse(answer: Answer): Response {
  return new Response(answer.body === null ? null : JSON.stringify(answer.body), {
    status: answer.status,
    headers: answerHeaders(answer),
  });
}
