// No raw token, refresh token or token hash (base64url, base64 or hex) in any
// log line, console output, event payload, error (message, cause, stack) or
// response body, over the whole session lifecycle; and no raw token in Redis.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  createMemoryStore,
  createSessionManager,
  DAY,
  MINUTE,
  SESSION_EVENT_NAMES,
  type SessionManager,
  type SessionManagerOptions,
  type SessionStore,
} from '@sessionkit/core';
import {
  createSessionRouteHandlers,
  type TrackableAuthOptions,
  withSessionTracking,
} from '@sessionkit/next-auth';
import { createRedisStore } from '@sessionkit/redis';
import { type RedisServer, startRedisServer } from '@sessionkit-internal/test-support';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { dump, SecretRegistry, secretForms } from './support/secrets.js';

const APP = 'https://app.example.com/api/sessions';

/** Collects everything sessionkit says: logger lines, console output, event payloads, errors, bodies. */
class Witness {
  readonly said: unknown[] = [];
  readonly logger = {
    warn: (...args: unknown[]) => this.said.push(['logger.warn', ...args]),
    error: (...args: unknown[]) => this.said.push(['logger.error', ...args]),
  };

  watch(manager: SessionManager): void {
    for (const event of SESSION_EVENT_NAMES) {
      manager.on(event, (payload) => {
        this.said.push([`event ${event}`, payload]);
      });
    }
    // A failing handler makes the manager log: that line must be clean too.
    manager.on('created', () => {
      throw new Error('handler failed on purpose');
    });
    manager.on('revoked', async () => {
      throw new Error('async handler failed on purpose');
    });
  }

  /** Runs `fn`; keeps what it returns, or the error it throws (with cause and stack). */
  async attempt<T>(label: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      this.said.push([
        `error from ${label}`,
        error,
        (error as Error)?.stack,
        (error as Error)?.cause,
      ]);
      return undefined;
    }
  }

  async respond(label: string, response: Promise<Response>): Promise<number> {
    const r = await response;
    this.said.push([`response to ${label}`, r.status, [...r.headers], await r.text()]);
    return r.status;
  }
}

/** A store that can be switched to failing, with errors that quote what it was given (like Mongo's E11000). */
function quotingStore(inner: SessionStore): {
  store: SessionStore;
  fail(on: boolean): void;
  thrown: string[];
} {
  let failing = false;
  const seen: string[] = [];
  const thrown: string[] = [];
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const quoted = JSON.stringify(args);
        for (const match of quoted.match(/[A-Za-z0-9_-]{43}/g) ?? []) seen.push(match);
        if (!failing) return value.apply(target, args);
        // Quote the hashes this store has been handed lately, as base64url and hex.
        const hashes = seen.slice(-8);
        const hex = hashes.map((h) => Buffer.from(h, 'base64url').toString('hex'));
        const message = `E11000 duplicate key error collection: app.sessions index: tokenHash_1 dup key: { tokenHash: "${hashes.join('", "')}" } (hex ${hex.join(' ')}); args ${quoted.slice(0, 2000)}`;
        thrown.push(message);
        return Promise.reject(new Error(message));
      };
    },
  });
  return {
    store,
    thrown,
    fail: (on) => {
      failing = on;
    },
  };
}

const consoleMethods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

function spyOnConsole(witness: Witness) {
  return consoleMethods.map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      witness.said.push([`console.${method}`, ...args]);
    }),
  );
}

afterEach(() => {
  vi.restoreAllMocks();
});

/** The whole lifecycle against a store; returns the secrets handed out. */
async function driveLifecycle(
  witness: Witness,
  makeStore: (now: () => number) => SessionStore,
  options: Partial<SessionManagerOptions> = {},
): Promise<{ secrets: SecretRegistry; manager: SessionManager; live: string[] }> {
  const secrets = new SecretRegistry();
  // Starts at the real time: stores derive their TTLs from it.
  let now = Date.now();
  const manager = createSessionManager({
    store: makeStore(() => now),
    now: () => now,
    refreshTokens: true,
    maxSessionsPerUser: 3,
    idleTimeout: 2 * DAY,
    touchInterval: MINUTE,
    logger: witness.logger,
    ...options,
  });
  witness.watch(manager);
  const keep = <T extends { token: string; refreshToken?: string }>(
    label: string,
    created: T | undefined,
  ): T | undefined => {
    now += 1000; // distinct creation times: the limit evicts by age
    secrets.add(`token of ${label}`, created?.token);
    secrets.add(`refresh token of ${label}`, created?.refreshToken);
    return created;
  };
  const headers = {
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
    'x-forwarded-for': '203.0.113.9, 10.0.0.1',
  };

  const a = keep(
    'a',
    await witness.attempt('create a', () => manager.create({ userId: 'carol', headers })),
  );
  const b = keep(
    'b',
    await witness.attempt('create b', () =>
      manager.create({ userId: 'carol', headers: { 'user-agent': 'curl/8.0' } }),
    ),
  );
  const c = keep('c', await witness.attempt('create c', () => manager.create({ userId: 'carol' })));
  now += 1000;
  // Fourth sign-in: the limit evicts the oldest (a).
  const d = keep(
    'd',
    await witness.attempt('create d', () =>
      manager.create({ userId: 'carol', metadata: { via: 'sso' } }),
    ),
  );
  if (!a || !b || !c || !d) throw new Error('lifecycle setup failed');

  now += 2 * MINUTE;
  witness.said.push(['validate', await manager.validate(b.token)]);
  witness.said.push(['validate evicted', await manager.validate(a.token)]);
  witness.said.push(['touch', await manager.touch(c.token)]);
  witness.said.push(['get', await manager.get(d.session.id)]);
  witness.said.push(['list', await manager.list('carol')]);

  // Refresh, then replay the rotated-out refresh token: reuse revokes the session.
  const rotated = await manager.refresh(b.refreshToken as string);
  keep('b after refresh', rotated ?? undefined);
  witness.said.push(['refresh', rotated?.session]);
  // Another tab replays it within the reuse grace window: the same pair again (its
  // tokens are already registered as secrets), not a revocation.
  witness.said.push([
    'refresh in grace',
    (await manager.refresh(b.refreshToken as string))?.session,
  ]);
  now += 11_000; // past the default 10 s grace window
  witness.said.push(['refresh reuse', await manager.refresh(b.refreshToken as string)]);
  witness.said.push([
    'refresh after reuse',
    await manager.refresh(rotated?.refreshToken as string),
  ]);

  witness.said.push(['revoke', await manager.revoke(c.session.id, { userId: 'carol' })]);
  witness.said.push(['logout', await manager.logout(d.token)]);
  const e = keep('e', await manager.create({ userId: 'carol' }));
  const f = keep('f', await manager.create({ userId: 'carol' }));
  witness.said.push(['revokeAll', await manager.revokeAll('carol', { except: f?.session.id })]);

  // Expiry: idle past idleTimeout, then every read path settles it.
  const g = keep('g', await manager.create({ userId: 'dave' }));
  now += 3 * DAY;
  witness.said.push(['validate expired', await manager.validate(g?.token as string)]);
  witness.said.push(['cleanup', await manager.cleanup()]);
  witness.said.push(['history', await manager.history('carol'), await manager.history('dave')]);

  // Secrets passed where they do not belong: errors must not echo them.
  const token = e?.token as string;
  const refreshToken = e?.refreshToken as string;
  await witness.attempt('get(token)', () => manager.get(token));
  await witness.attempt('revoke(token)', () => manager.revoke(token));
  await witness.attempt('revoke(refresh token as reason)', () =>
    manager.revoke(e?.session.id as string, { reason: `${refreshToken}\n` }),
  );
  await witness.attempt('list(token with control char)', () => manager.list(`${token}\u0000`));
  await witness.attempt('revokeAll except token', () =>
    manager.revokeAll('carol', { except: token }),
  );
  await witness.attempt('create with token as ip', () =>
    manager.create({ userId: 'carol', ipAddress: token }),
  );
  await witness.attempt('create with token as device id', () =>
    manager.create({ userId: 'carol', deviceId: `${token}!` }),
  );
  await witness.attempt('history limit', () => manager.history(token, { limit: -1 }));
  await witness.attempt('validate(token + x)', () => manager.validate(`${token}x`));
  witness.said.push(['validate(refresh token)', await manager.validate(refreshToken)]);

  // A fresh, live session for callers to inspect afterwards.
  const live = keep('live', await manager.create({ userId: 'carol' }));
  return { secrets, manager, live: [live?.session.id as string, live?.token as string] };
}

describe('secrets never leak', () => {
  it('the scanner finds a token, its secret part and its SHA-256 in base64url and hex', () => {
    const registry = new SecretRegistry();
    const token = `${'A'.repeat(28)}${'b'.repeat(43)}`;
    registry.add('t', token);
    for (const form of secretForms(token)) {
      expect(registry.leaksIn(`x${form}y`)).toContainEqual(expect.stringMatching(/^t \(/));
    }
    const hidden = dump(new Error('e', { cause: new Error(token.slice(28)) }));
    expect(registry.leaksIn(hidden)).toEqual(['t (secret part)']);
    expect(registry.rawLeaksIn(secretForms(token)[4] as string)).toEqual([]);
    expect(registry.leaksIn('A'.repeat(28))).toEqual([]);
  });

  it('memory store: no token, refresh token or hash in logs, console, events, errors or API results over the full lifecycle, a limit rejection and a store outage', async () => {
    const witness = new Witness();
    const spies = spyOnConsole(witness);
    let quoting: ReturnType<typeof quotingStore> | undefined;
    const { secrets, manager, live } = await driveLifecycle(witness, (now) => {
      quoting = quotingStore(createMemoryStore({ now }));
      return quoting.store;
    });
    if (!quoting) throw new Error('no store');
    const { store, fail, thrown } = quoting;

    // onSessionLimit: 'reject' on a second manager over the same store.
    const strict = createSessionManager({
      store,
      maxSessionsPerUser: 1,
      onSessionLimit: 'reject',
      refreshTokens: true,
      logger: witness.logger,
    });
    witness.watch(strict);
    const first = await strict.create({ userId: 'erin' });
    secrets.add('token of erin', first.token);
    secrets.add('refresh token of erin', first.refreshToken);
    await witness.attempt('create over the limit', () => strict.create({ userId: 'erin' }));

    // Route handlers: every response body, healthy and with the store down.
    const [liveId, liveToken] = live as [string, string];
    const handlers = createSessionRouteHandlers({
      manager,
      getSession: () => ({ sessionId: liveId, user: { id: 'carol' } }),
    });
    await witness.respond('GET', handlers.GET(new Request(APP)));
    await witness.respond('PATCH', handlers.PATCH(new Request(APP, { method: 'PATCH' })));
    await witness.respond(
      'DELETE unknown',
      handlers.DELETE(
        new Request(`${APP}?sessionId=${liveId.slice(0, 6)}${'A'.repeat(22)}`, {
          method: 'DELETE',
        }),
      ),
    );
    await witness.respond(
      'DELETE token',
      handlers.DELETE(new Request(`${APP}?sessionId=${liveToken}`, { method: 'DELETE' })),
    );

    // Store outage, with database errors that quote hashes and arguments.
    fail(true);
    await witness.attempt('create while down', () => manager.create({ userId: 'carol' }));
    await witness.attempt('validate while down', () => manager.validate(liveToken));
    await witness.attempt('touch while down', () => manager.touch(liveToken));
    await witness.attempt('logout while down', () => manager.logout(liveToken));
    await witness.attempt('refresh while down', () => manager.refresh(liveToken));
    await witness.attempt('revoke while down', () => manager.revoke(liveId));
    await witness.attempt('revokeAll while down', () => manager.revokeAll('carol'));
    await witness.attempt('list while down', () => manager.list('carol'));
    await witness.respond('GET while down', handlers.GET(new Request(APP)));
    await witness.respond(
      'DELETE while down',
      handlers.DELETE(new Request(`${APP}?revokeAll=true`, { method: 'DELETE' })),
    );
    fail(false);

    // Let rejected async event handlers report.
    await new Promise((r) => setTimeout(r, 10));
    for (const spy of spies) spy.mockRestore();

    // The run exercised what it claims: events, logger lines, store errors, 503s.
    const text = dump(witness.said);
    const seen = (needle: string) => text.includes(needle);
    for (const needle of [
      'event created',
      'event newDevice',
      'event revoked',
      'event loggedOut',
      'event expired',
      'event limitExceeded',
      'event refreshReuse',
      'logger.error',
      'STORE_UNAVAILABLE',
      'SESSION_LIMIT',
      'INVALID_INPUT',
      '"response to GET while down",503',
      '"response to GET",200',
      '"response to PATCH",200',
      '"response to DELETE unknown",404',
      '"response to DELETE token",400',
    ]) {
      expect(seen(needle), needle).toBe(true);
    }
    expect(secrets.size).toBeGreaterThan(50);
    // The database errors did quote real token hashes: what kept them out is the redaction.
    expect(thrown.filter((m) => secrets.leaksIn(m).length > 0).length).toBeGreaterThan(3);

    expect(secrets.leaksIn(text)).toEqual([]);
  });

  it('withSessionTracking: the session object sent to the browser and sign-out errors carry no token', async () => {
    const witness = new Witness();
    const spies = spyOnConsole(witness);
    const { store, fail } = quotingStore(createMemoryStore());
    const manager = createSessionManager({ store, logger: witness.logger });
    witness.watch(manager);
    const options = withSessionTracking<TrackableAuthOptions>(
      { session: { strategy: 'jwt' } },
      { manager, getHeaders: () => ({ 'user-agent': 'Mozilla/5.0 Firefox/128.0' }) },
    );
    const jwt = options.callbacks?.jwt as unknown as (
      p: object,
    ) => Promise<Record<string, unknown>>;
    const session = options.callbacks?.session as unknown as (p: object) => Promise<unknown>;
    const signOut = options.events?.signOut as unknown as (m: object) => Promise<void>;

    const token = await jwt({ token: { sub: 'frank' }, user: { id: 'frank' }, trigger: 'signIn' });
    const claim = token.sessionkit as { token: string };
    const secrets = new SecretRegistry();
    secrets.add('token of frank', claim.token);
    const again = await jwt({ token });
    witness.said.push([
      'session',
      await session({ session: { user: { name: 'F' }, expires: 'x' }, token: again }),
    ]);
    fail(true);
    await witness.attempt('jwt while down', () => jwt({ token }));
    await witness.attempt('signOut while down', () => signOut({ token }));
    fail(false);
    await signOut({ token });
    await witness.attempt('session after sign-out', async () =>
      session({ session: {}, token: await jwt({ token }) }),
    );
    for (const spy of spies) spy.mockRestore();

    const text = dump(witness.said);
    expect(text).toContain('STORE_UNAVAILABLE');
    expect(text).toContain('"sessionId"');
    expect(secrets.leaksIn(text)).toEqual([]);
  });
});

describe('secrets in Redis', () => {
  let server: RedisServer;
  let client: Redis;

  beforeAll(async () => {
    server = await startRedisServer({ durable: true });
    client = new Redis({ host: '127.0.0.1', port: server.port });
  });

  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });

  /** Every key and every value (strings, sets, sorted sets, hashes, lists) as one text. */
  async function everythingIn(redis: Redis): Promise<string> {
    const parts: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        parts.push(key);
        const type = await redis.type(key);
        if (type === 'string') parts.push((await redis.get(key)) ?? '');
        else if (type === 'zset') parts.push(...(await redis.zrange(key, 0, -1, 'WITHSCORES')));
        else if (type === 'set') parts.push(...(await redis.smembers(key)));
        else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
        else if (type === 'list') parts.push(...(await redis.lrange(key, 0, -1)));
        else parts.push(`<${type}>`);
      }
    } while (cursor !== '0');
    return parts.join('\n');
  }

  function filesUnder(dir: string): string {
    return readdirSync(dir)
      .map((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? filesUnder(path) : readFileSync(path, 'latin1');
      })
      .join('\n');
  }

  it('no raw token or refresh token in any Redis key, value or the append-only file; only their hashes are stored', async () => {
    const witness = new Witness();
    const spies = spyOnConsole(witness);
    const { secrets, live } = await driveLifecycle(witness, (now) =>
      createRedisStore({ client, prefix: 'sec:', now }),
    );
    for (const spy of spies) spy.mockRestore();

    const [liveId, liveToken] = live as [string, string];
    const stored = await everythingIn(client);
    // Positive control: the scan sees the live session's record and its token hash
    // (stores keep hashes by design) but no raw token of any session.
    expect(stored).toContain(liveId);
    expect(stored).toContain(secretForms(liveToken)[2]);
    expect(secrets.size).toBeGreaterThan(50);
    expect(secrets.rawLeaksIn(stored)).toEqual([]);

    // Nor on disk: the append-only file holds every write ever made.
    const aof = filesUnder(server.dir);
    expect(aof).toContain(liveId);
    expect(secrets.rawLeaksIn(aof)).toEqual([]);

    // And nothing the manager said over Redis leaks any form.
    expect(secrets.leaksIn(dump(witness.said))).toEqual([]);
  });
});
