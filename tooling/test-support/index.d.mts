// The public face of @sessionkit-internal/test-support. The .mjs files carry
// `@type {typeof import('./index.d.mts').name}` on each export, so \`tsc\`
// (this package's typecheck) fails when an implementation drifts from these.

// ── ports.mjs
export interface FreePortOptions {
  /** Interface to probe; default `127.0.0.1`. */
  host?: string;
  /** Offsets whose ports must be free too, e.g. `[10000]` for a Cluster node's bus port. */
  alsoFree?: number[];
}

/** Whether `port` can be bound on `host` (default `127.0.0.1`) right now. */
export function portIsFree(port: number, host?: string): Promise<boolean>;

/**
 * A loopback port that is free now. Another process may take it before you bind:
 * retry on EADDRINUSE.
 */
export function freePort(options?: FreePortOptions): Promise<number>;

// ── redis.mjs
export interface RedisServerOptions {
  /**
   * Every write is in the AOF before Redis answers (`appendonly yes`,
   * `appendfsync always`): a restart after a SIGKILL keeps every acknowledged write.
   */
  durable?: boolean;
}

export interface RedisServer {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** The server's working directory (holds the AOF of a durable server). */
  readonly dir: string;
  /** Kills the server abruptly (SIGKILL): clients see a dead socket, like a crash. */
  kill(): Promise<void>;
  /** Starts it again on the same port: empty, or replaying its AOF when durable. */
  restart(): Promise<void>;
  /** Kills it and removes its directory. */
  stop(): Promise<void>;
}

export interface RedisCluster {
  readonly ports: number[];
  /** Kills every node and removes their directories. */
  stop(): Promise<void>;
}

/** A standalone redis-server on a free loopback port, in its own temp dir. */
export function startRedisServer(options?: RedisServerOptions): Promise<RedisServer>;

/** A Redis Cluster of `masters` (default 3) masters, no replicas, on loopback, state ok. */
export function startRedisCluster(masters?: number): Promise<RedisCluster>;

/** Sends one inline command (`PING`, `DBSIZE`) and resolves with the raw RESP reply. */
export function redisCommand(port: number, command: string): Promise<string>;

/** Throws, with the fix, when redis-server or redis-cli (or REDIS_SERVER_BIN / REDIS_CLI_BIN) is missing. */
export function requireRedis(): void;

// ── postgres.mjs
export interface PgServerOptions {
  /** Directory holding initdb and pg_ctl; default: `$PG_BIN`, else the newest /usr/lib/postgresql/<v>/bin. */
  bin?: string;
  /** Extra `-c name=value` server settings (override the test defaults: fsync off, 200 connections). */
  settings?: Record<string, string | number>;
}

export interface PgServer {
  readonly port: number;
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust auth, loopback only). */
  readonly url: string;
  /** The temp directory holding the cluster (data/, log, the Unix socket). */
  readonly dir: string;
  /** Kills the server at once (`pg_ctl stop -m immediate`): a crash, for fault tests. */
  kill(): void;
  /** Starts it again on the same port and data directory. */
  start(): void;
  /** Stops it and deletes the cluster (also done at process exit). */
  stop(): void;
}

/** Where initdb/pg_ctl are, or why they are missing (with the fix). */
export function findPgBin(): { bin: string } | { missing: string };

/** A private PostgreSQL cluster (initdb in a temp dir) on a free loopback port; throws when the binaries are missing. */
export function startPgServer(options?: PgServerOptions): Promise<PgServer>;

// ── chromium.mjs
/** Playwright `launchOptions` for Debian's chromium (`CHROMIUM_PATH` or `/usr/bin/chromium`). */
export function chromiumLaunchOptions(): { executablePath: string; args: string[] };

/** The chromium binary's path; throws with the fix when it is missing. */
export function requireChromium(): string;

// ── stale-packages.mjs
/**
 * Names of the packages under `<rootDir>/packages` (or just `names`) whose dist/
 * is missing or older than their src/.
 */
export function stalePackages(rootDir: string, names?: string[]): string[];
