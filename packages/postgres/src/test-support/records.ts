import { randomBytes } from 'node:crypto';
import { DAY, hashToken, type SessionRecord } from '@sessionkit/core';

/** A complete ACTIVE record for direct store tests (ids are opaque text to the store). */
export function testRecord(userId: string, overrides: Partial<SessionRecord> = {}): SessionRecord {
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const expiresAt = new Date(now.getTime() + 30 * DAY);
  return {
    id: randomBytes(16).toString('base64url'),
    userId,
    status: 'ACTIVE',
    ipAddress: '203.0.113.7',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0',
    deviceInfo: {
      type: 'desktop',
      os: 'Linux',
      osVersion: null,
      browser: 'Firefox',
      browserVersion: '128.0',
    },
    location: { country: 'DE', region: 'BE', city: 'Berlin' },
    createdAt: now,
    lastActivityAt: now,
    expiresAt,
    endedAt: null,
    endReason: null,
    metadata: { loginMethod: 'password' },
    tokenHash: hashToken(randomBytes(16).toString('hex')),
    refreshTokenHash: hashToken(randomBytes(16).toString('hex')),
    retiredRefreshTokenHashes: [],
    deviceKey: randomBytes(12).toString('base64url'),
    risk: null,
    verification: null,
    refreshRequestedAt: null,
    purgeAt: new Date(expiresAt.getTime() + 90 * DAY),
    ...overrides,
  };
}

export const CAPS = { deviceCap: 100, previousDeviceKeys: [] } as const;
