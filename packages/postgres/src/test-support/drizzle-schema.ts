// The Drizzle table definitions docs/adapters/postgres.md shows ("Migrations
// with your tool"), verbatim: orm-snippets.pg.test.ts checks the docs still
// hold this text and that the tables match what ensurePostgresSchema creates.
import { boolean, index, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const tz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
export const sessionkitSessions = pgTable('sessionkit_sessions', {
  id: text('id').primaryKey(),
  userId: text('user_id').notNull(),
  status: text('status').notNull(),
  ipAddress: text('ip_address'),
  userAgent: text('user_agent'),
  deviceInfo: jsonb('device_info').notNull(),
  location: jsonb('location'),
  createdAt: tz('created_at').notNull(),
  lastActivityAt: tz('last_activity_at').notNull(),
  expiresAt: tz('expires_at').notNull(),
  endedAt: tz('ended_at'),
  endReason: text('end_reason'),
  metadata: jsonb('metadata').notNull(),
  risk: jsonb('risk'),
  verification: jsonb('verification'),
  tokenHash: text('token_hash').notNull(),
  refreshTokenHash: text('refresh_token_hash'),
  retiredRefreshTokenHashes: text('retired_refresh_token_hashes').array().notNull(),
  deviceKey: text('device_key').notNull(),
  purgeAt: tz('purge_at').notNull(),
  origin: jsonb('origin'),
  refreshRequestedAt: tz('refresh_requested_at'),
  refreshRotatedAt: tz('refresh_rotated_at'),
  verificationRequired: boolean('verification_required').notNull().default(false),
  trustedDevice: boolean('trusted_device').notNull().default(false),
});
export const sessionkitDevices = pgTable(
  'sessionkit_devices',
  {
    userId: text('user_id').notNull(),
    id: text('id').notNull(),
    deviceInfo: jsonb('device_info').notNull(),
    firstSeenAt: tz('first_seen_at').notNull(),
    lastSeenAt: tz('last_seen_at').notNull(),
    lastIpAddress: text('last_ip_address'),
    lastLocation: jsonb('last_location'),
    purgeAt: tz('purge_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.id] }),
    index('sessionkit_devices_purge').on(t.purgeAt),
  ],
);
