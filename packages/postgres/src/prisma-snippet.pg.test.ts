import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createSessionManager } from '@sessionkit/core';
import { findPgBin, type PgServer, startPgServer } from '@sessionkit-internal/test-support';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from './postgres-store.js';
import { ensurePostgresSchema } from './schema.js';

// The Prisma snippet of docs/adapters/postgres.md, run: a Prisma Client is
// generated from test-support/sessionkit.prisma with the real Prisma 7 CLI and
// reads, on @prisma/adapter-pg, what the store wrote. Prisma 7's client runs
// its query compiler as Wasm shipped in @prisma/client, and `prisma generate`
// needs no schema engine; the CLI would still download one before any command
// (from binaries.prisma.sh, unreachable here), so PRISMA_SCHEMA_ENGINE_BINARY
// points at a guard script that records any call: the test asserts none came.

const snippetFile = new URL('./test-support/sessionkit.prisma', import.meta.url);
const snippet = readFileSync(snippetFile, 'utf8').replace(/^(\/\/.*\n)+/, '');

describe('the Prisma snippet in the docs is the file this test runs', () => {
  it('docs/adapters/postgres.md holds test-support/sessionkit.prisma verbatim', () => {
    const docs = readFileSync(
      new URL('../../../docs/adapters/postgres.md', import.meta.url),
      'utf8',
    );
    expect(docs).toContain(`\`\`\`prisma\n${snippet}\`\`\``);
  });
});

const require = createRequire(import.meta.url);
/** The Prisma CLI, client runtime and adapter, or why they cannot be had. */
const findPrisma = (): { cli: string } | { missing: string } => {
  try {
    require.resolve('@prisma/client/package.json');
    require.resolve('@prisma/adapter-pg');
    return { cli: require.resolve('prisma/build/index.js') };
  } catch (error) {
    return {
      missing: `Prisma 7 (prisma, @prisma/client, @prisma/adapter-pg) not installed: ${(error as Error).message.split('\n')[0]}`,
    };
  }
};

const pgFound = findPgBin();
const prismaFound = findPrisma();
const missing =
  'missing' in pgFound ? pgFound.missing : 'missing' in prismaFound ? prismaFound.missing : null;

/** The part of the generated client this test uses. */
interface GeneratedClient {
  sessionkitSession: {
    findUnique(args: { where: { id: string } }): Promise<Record<string, unknown> | null>;
  };
  sessionkitDevice: {
    findMany(args: { where: { userId: string } }): Promise<Record<string, unknown>[]>;
  };
  $disconnect(): Promise<void>;
}

if (missing !== null || !('cli' in prismaFound)) {
  describe('Prisma snippet on PostgreSQL', () => {
    it.skip(`skipped: ${missing}`, () => {});
  });
} else {
  let server: PgServer;
  let pool: pg.Pool;
  let client: GeneratedClient;
  let workDir: string;
  let engineCalls: string;

  beforeAll(async () => {
    server = await startPgServer({ bin: (pgFound as { bin: string }).bin });
    pool = new pg.Pool({ connectionString: server.url, max: 4 });
    pool.on('error', () => {});
    await ensurePostgresSchema(pool);

    // Inside the package (so the generated code resolves @prisma/client from
    // its node_modules) and under the git-ignored .tmp/.
    const tmpRoot = fileURLToPath(new URL('../.tmp/', import.meta.url));
    mkdirSync(tmpRoot, { recursive: true });
    workDir = mkdtempSync(join(tmpRoot, 'prisma-'));
    engineCalls = join(workDir, 'engine-calls.log');
    const guard = join(workDir, 'no-schema-engine.sh');
    writeFileSync(guard, `#!/bin/sh\necho "$*" >> '${engineCalls}'\nexit 1\n`);
    chmodSync(guard, 0o755);
    writeFileSync(
      join(workDir, 'schema.prisma'),
      `generator client {\n  provider = "prisma-client"\n  output   = "./client"\n}\n\ndatasource db {\n  provider = "postgresql"\n}\n\n${snippet}`,
    );
    await promisify(execFile)(
      process.execPath,
      [prismaFound.cli, 'generate', '--schema', 'schema.prisma'],
      {
        cwd: workDir,
        timeout: 60_000,
        env: {
          ...process.env,
          PRISMA_SCHEMA_ENGINE_BINARY: guard,
          // No telemetry or update check: this test sends nothing off the machine.
          CHECKPOINT_DISABLE: '1',
          PRISMA_HIDE_UPDATE_MESSAGE: '1',
        },
      },
    );
    const { PrismaPg } = await import('@prisma/adapter-pg');
    const { PrismaClient } = (await import(
      /* @vite-ignore */ join(workDir, 'client', 'client.ts')
    )) as { PrismaClient: new (options: { adapter: unknown }) => GeneratedClient };
    client = new PrismaClient({ adapter: new PrismaPg(pool) });
  }, 120_000);

  afterAll(async () => {
    await client?.$disconnect();
    await pool?.end();
    server?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('prisma generate ran without a schema engine (the guard was never called)', () => {
    expect(existsSync(engineCalls) ? readFileSync(engineCalls, 'utf8') : '').toBe('');
  });

  it('Prisma Client on @prisma/adapter-pg reads what the store wrote: every column, dates as Date, jsonb as objects', async () => {
    const manager = createSessionManager({
      store: createPostgresStore({ pool }),
      secret: 'prisma-snippet-secret-'.repeat(2),
    });
    const { session } = await manager.create({
      userId: 'prisma-user',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
      ipAddress: '203.0.113.9',
      metadata: { plan: 'pro' },
    });

    const row = await client.sessionkitSession.findUnique({ where: { id: session.id } });
    expect(row).toMatchObject({
      id: session.id,
      userId: 'prisma-user',
      status: 'ACTIVE',
      ipAddress: '203.0.113.9',
      metadata: { plan: 'pro' },
      endedAt: null,
      retiredRefreshTokenHashes: [],
      verificationRequired: false,
    });
    expect(row?.expiresAt).toEqual(session.expiresAt);
    expect(row?.deviceInfo).toEqual(session.deviceInfo);
    // Prisma selects each modelled column by name, so the read above fails on
    // a misspelt @map; the count catches a column the models leave out.
    const columns = async (table: string) =>
      (await pool.query('SELECT 1 FROM information_schema.columns WHERE table_name = $1', [table]))
        .rowCount;
    expect(Object.keys(row ?? {})).toHaveLength((await columns('sessionkit_sessions')) ?? -1);

    const devices = await client.sessionkitDevice.findMany({ where: { userId: 'prisma-user' } });
    expect(devices).toHaveLength(1);
    expect(devices[0]?.firstSeenAt).toBeInstanceOf(Date);
    expect(devices[0]?.deviceInfo).toEqual(session.deviceInfo);
    expect(Object.keys(devices[0] ?? {})).toHaveLength((await columns('sessionkit_devices')) ?? -1);
  });

  it('a revoke through the manager is what Prisma reads next: status, endedAt as Date, endReason', async () => {
    const manager = createSessionManager({
      store: createPostgresStore({ pool }),
      secret: 'prisma-snippet-secret-'.repeat(2),
    });
    const { session } = await manager.create({ userId: 'prisma-revoked' });
    expect(await manager.revoke(session.id)).toBe(true);
    const row = await client.sessionkitSession.findUnique({ where: { id: session.id } });
    expect(row?.status).toBe('REVOKED');
    expect(row?.endedAt).toBeInstanceOf(Date);
    expect(row?.endReason).toEqual(expect.any(String));
  });
}
