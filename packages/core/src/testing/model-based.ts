import fc from 'fast-check';
import { expect, it } from 'vitest';
import { ENDED_STATUSES, type SessionStatus } from '../session.js';
import { createSessionManager, type SessionManager } from '../session-manager.js';
import { type StoreFactory, uniqueUser } from './fixtures.js';

// The conformance suite's model-based test (fast-check fc.commands): random
// command sequences against a reference model that tracks every session's exact
// stored status and end reason, checked through validate, touch, get, list (by
// status), history and counts — with owner-scoped revoke, logout with stale
// tokens, revokeAll with an exception, refresh-token rotation and reuse, idle
// and absolute expiry and the session limit, over three users. Every store runs
// it through runStoreConformanceTests; tests/adversarial runs it longer over the
// memory store, a real Redis and a real Redis Cluster (runModelBasedTest).

const HOUR = 3_600_000;
const IDLE = 20 * 60_000;
const TOUCH = 60_000;
const MAX = 3;
const USERS = 3;

interface ModelSession {
  id: string;
  userId: string;
  token: string;
  refreshToken: string;
  retired: string[];
  stored: SessionStatus;
  reason: string | null;
  createdAt: number;
  expiresAt: number;
  lastActivityAt: number;
}

interface Model {
  now: number;
  users: string[];
  sessions: ModelSession[];
}

interface Real {
  manager: SessionManager;
}

const live = (m: Model, s: ModelSession) =>
  s.stored === 'ACTIVE' && s.expiresAt > m.now && s.lastActivityAt + IDLE > m.now;

/** What the manager does lazily on a read: a stored-ACTIVE session past its expiry becomes EXPIRED. */
const settle = (m: Model, s: ModelSession) => {
  if (s.stored === 'ACTIVE' && !live(m, s)) {
    s.stored = 'EXPIRED';
    s.reason = null; // the expiry reason (absolute or idle) is the store's to record
  }
};

const end = (s: ModelSession, status: SessionStatus, reason: string) => {
  s.stored = status;
  s.reason = reason;
};

const pick = (m: Model, index: number) => m.sessions[index % m.sessions.length] as ModelSession;
const hasSessions = (m: Readonly<Model>) => m.sessions.length > 0;

type Command = fc.AsyncCommand<Model, Real>;

class Create implements Command {
  constructor(readonly user: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    m.now += 1; // distinct creation times: the limit evicts the earliest created
    const userId = m.users[this.user] as string;
    const liveOnes = m.sessions
      .filter((s) => s.userId === userId && live(m, s))
      .sort((a, b) => a.createdAt - b.createdAt);
    for (const s of liveOnes.slice(0, Math.max(0, liveOnes.length - MAX + 1))) {
      end(s, 'REVOKED', 'session_limit');
    }
    const created = await r.manager.create({ userId });
    expect(created.session).toMatchObject({ userId, status: 'ACTIVE' });
    expect(m.sessions.some((s) => s.id === created.session.id)).toBe(false); // a new id every sign-in
    m.sessions.push({
      id: created.session.id,
      userId,
      token: created.token,
      refreshToken: created.refreshToken as string,
      retired: [],
      stored: 'ACTIVE',
      reason: null,
      createdAt: m.now,
      expiresAt: m.now + HOUR,
      lastActivityAt: m.now,
    });
  }
  toString = () => `create(u${this.user})`;
}

/** validate() and touch(): a live session answers and records activity when due; anything else is null/false. */
class Activity implements Command {
  constructor(
    readonly index: number,
    readonly via: 'validate' | 'touch',
  ) {}
  check = hasSessions;
  async run(m: Model, r: Real) {
    const s = pick(m, this.index);
    const wasLive = live(m, s);
    if (this.via === 'validate') {
      // No ended or expired session ever validates again.
      expect((await r.manager.validate(s.token))?.id ?? null).toBe(wasLive ? s.id : null);
    } else {
      expect(await r.manager.touch(s.token)).toBe(wasLive);
    }
    if (!wasLive) settle(m, s);
    else if (s.lastActivityAt <= m.now - TOUCH && s.lastActivityAt < m.now)
      s.lastActivityAt = m.now;
  }
  toString = () => `${this.via}(#${this.index})`;
}

class Revoke implements Command {
  constructor(
    readonly index: number,
    readonly as: 'anyone' | 'owner' | 'other',
  ) {}
  check = hasSessions;
  async run(m: Model, r: Real) {
    const s = pick(m, this.index);
    const other = m.users.find((u) => u !== s.userId) as string;
    const options = this.as === 'anyone' ? {} : { userId: this.as === 'owner' ? s.userId : other };
    const revoked = await r.manager.revoke(s.id, options);
    if (this.as === 'other') {
      expect(revoked).toBe(false); // another user's session: never touched
      return;
    }
    expect(revoked).toBe(s.stored === 'ACTIVE');
    if (s.stored === 'ACTIVE') end(s, 'REVOKED', 'revoked_by_user');
  }
  toString = () => `revoke(#${this.index}, as ${this.as})`;
}

class Logout implements Command {
  constructor(
    readonly index: number,
    readonly staleToken: boolean,
  ) {}
  check = hasSessions;
  async run(m: Model, r: Real) {
    const s = pick(m, this.index);
    // A token from before a refresh no longer matches: logout with it changes nothing.
    const token = this.staleToken ? `${s.id}${'x'.repeat(43)}` : s.token;
    const out = await r.manager.logout(token);
    const expected = !this.staleToken && s.stored === 'ACTIVE';
    expect(out).toBe(expected);
    if (expected) end(s, 'LOGGED_OUT', 'logged_out');
  }
  toString = () => `logout(#${this.index}${this.staleToken ? ', forged token' : ''})`;
}

class RevokeAll implements Command {
  constructor(
    readonly user: number,
    readonly except: number | null,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const userId = m.users[this.user] as string;
    const except =
      this.except === null || m.sessions.length === 0 ? undefined : pick(m, this.except);
    const exceptId = except?.userId === userId ? except.id : undefined;
    const targets = m.sessions.filter(
      (s) => s.userId === userId && s.id !== exceptId && live(m, s),
    );
    const count = await r.manager.revokeAll(
      userId,
      exceptId === undefined ? {} : { except: exceptId },
    );
    expect(count).toBe(targets.length);
    for (const s of targets) end(s, 'REVOKED', 'revoked_by_user');
  }
  toString = () => `revokeAll(u${this.user}, except #${this.except})`;
}

class Refresh implements Command {
  constructor(
    readonly index: number,
    readonly reuseOld: boolean,
  ) {}
  check = hasSessions;
  async run(m: Model, r: Real) {
    const s = pick(m, this.index);
    const old = s.retired[Math.floor(s.retired.length / 2)];
    if (this.reuseOld && old !== undefined) {
      expect(await r.manager.refresh(old)).toBeNull();
      // Reuse revokes a live session; an expired one is left as stored, not
      // relabelled (issue 20).
      if (s.stored === 'ACTIVE' && live(m, s)) end(s, 'REVOKED', 'refresh_token_reuse');
      return;
    }
    const result = await r.manager.refresh(s.refreshToken);
    if (live(m, s)) {
      expect(result?.session.id).toBe(s.id);
      expect(result?.token).not.toBe(s.token);
      // The old access token stops working at once.
      s.retired.push(s.refreshToken);
      s.token = result?.token as string;
      s.refreshToken = result?.refreshToken as string;
      s.lastActivityAt = Math.max(s.lastActivityAt, m.now);
    } else {
      expect(result).toBeNull();
      settle(m, s);
    }
  }
  toString = () => `refresh(#${this.index}${this.reuseOld ? ', replay an old one' : ''})`;
}

class Advance implements Command {
  constructor(readonly ms: number) {}
  check = () => true;
  async run(m: Model) {
    m.now += this.ms;
  }
  toString = () => `advance(${this.ms})`;
}

class Get implements Command {
  constructor(readonly index: number) {}
  check = hasSessions;
  async run(m: Model, r: Real) {
    const s = pick(m, this.index);
    settle(m, s);
    const got = await r.manager.get(s.id);
    expect(got?.status).toBe(s.stored);
    if (s.reason !== null) expect(got?.endReason).toBe(s.reason);
    expect(got?.endedAt === null).toBe(s.stored === 'ACTIVE');
  }
  toString = () => `get(#${this.index})`;
}

const STATUS_FILTERS: SessionStatus[][] = [
  ['ACTIVE'],
  ['REVOKED'],
  ['EXPIRED'],
  ['LOGGED_OUT'],
  ['ACTIVE', 'REVOKED'],
  ['REVOKED', 'LOGGED_OUT', 'EXPIRED'],
];

class List implements Command {
  constructor(
    readonly user: number,
    readonly filter: number | null,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const userId = m.users[this.user] as string;
    const wanted: SessionStatus[] =
      this.filter === null ? ['ACTIVE'] : (STATUS_FILTERS[this.filter] as SessionStatus[]);
    const mine = m.sessions.filter((s) => s.userId === userId);
    // Whenever ACTIVE is read (also to find EXPIRED ones), expired ones are settled.
    if (wanted.includes('ACTIVE') || wanted.includes('EXPIRED')) for (const s of mine) settle(m, s);
    const listed =
      this.filter === null
        ? await r.manager.list(userId)
        : await r.manager.list(userId, { status: wanted });
    const expected = mine.filter((s) => wanted.includes(s.stored));
    expect(listed.map((s) => `${s.id}:${s.status}`).sort()).toEqual(
      expected.map((s) => `${s.id}:${s.stored}`).sort(),
    );
    expect(listed.filter((s) => s.status === 'ACTIVE').length).toBeLessThanOrEqual(MAX);
    for (let i = 1; i < listed.length; i++) {
      const [a, b] = [listed[i - 1], listed[i]];
      expect((a?.lastActivityAt.getTime() ?? 0) >= (b?.lastActivityAt.getTime() ?? 0)).toBe(true);
    }
  }
  toString = () =>
    `list(u${this.user}, ${this.filter === null ? 'default' : STATUS_FILTERS[this.filter]?.join('|')})`;
}

class History implements Command {
  constructor(readonly user: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const userId = m.users[this.user] as string;
    const mine = m.sessions.filter((s) => s.userId === userId);
    for (const s of mine) settle(m, s);
    const history = await r.manager.history(userId);
    const expected = mine.filter((s) => (ENDED_STATUSES as readonly string[]).includes(s.stored));
    expect(history.map((s) => `${s.id}:${s.status}`).sort()).toEqual(
      expected.map((s) => `${s.id}:${s.stored}`).sort(),
    );
    for (let i = 1; i < history.length; i++) {
      expect(
        (history[i - 1]?.endedAt?.getTime() ?? 0) >= (history[i]?.endedAt?.getTime() ?? 0),
      ).toBe(true);
    }
  }
  toString = () => `history(u${this.user})`;
}

const user = fc.integer({ min: 0, max: USERS - 1 });
const index = fc.nat(60);
const commands = [
  user.map((u) => new Create(u)),
  user.map((u) => new Create(u)),
  user.map((u) => new Create(u)),
  index.map((i) => new Activity(i, 'validate')),
  index.map((i) => new Activity(i, 'touch')),
  fc
    .tuple(index, fc.constantFrom('anyone', 'owner', 'other' as const))
    .map(([i, as]) => new Revoke(i, as)),
  fc.tuple(index, fc.boolean()).map(([i, stale]) => new Logout(i, stale)),
  fc.tuple(user, fc.option(index)).map(([u, e]) => new RevokeAll(u, e)),
  fc.tuple(index, fc.boolean()).map(([i, old]) => new Refresh(i, old)),
  fc.tuple(index, fc.boolean()).map(([i, old]) => new Refresh(i, old)),
  fc.integer({ min: 1000, max: 30 * 60_000 }).map((ms) => new Advance(ms)),
  index.map((i) => new Get(i)),
  fc.tuple(user, fc.option(fc.nat(STATUS_FILTERS.length - 1))).map(([u, f]) => new List(u, f)),
  user.map((u) => new History(u)),
];

let runId = 0;

/** Runs the model over fresh stores from `factory`, `numRuns` command sequences. */
export async function runModelBasedTest(factory: StoreFactory, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(fc.commands(commands, { maxCommands: 80, size: 'max' }), async (cmds) => {
      const run = runId++;
      const model: Model = {
        now: Math.floor(Date.now() / 1000) * 1000,
        users: Array.from({ length: USERS }, (_, u) => uniqueUser(`mb${run}-u${u}`)),
        sessions: [],
      };
      const clock = () => model.now;
      const manager = createSessionManager({
        store: await factory({ now: clock }),
        now: clock,
        expiresIn: HOUR,
        idleTimeout: IDLE,
        touchInterval: TOUCH,
        maxSessionsPerUser: MAX,
        refreshTokens: true,
        // The model knows strict reuse; the grace window has its own cases (contract-refresh-grace.ts).
        refreshReuseGrace: 0,
        logger: { warn() {}, error() {} },
      });
      await fc.asyncModelRun(() => ({ model, real: { manager } }), cmds);
    }),
    { numRuns },
  );
}

/** The suite's case: {@link runModelBasedTest} as one vitest test. */
export function modelBasedTest(factory: StoreFactory, numRuns: number, timeout: number): void {
  it(
    'behaves like the reference model under random command sequences (fc.commands): exact statuses, end reasons, list by status, history, limits',
    () => runModelBasedTest(factory, numRuns),
    timeout,
  );
}
