import { getClientIp, normalizeIp, readHeader } from './client-ip.js';
import { isDeviceId, readDeviceIdCookie } from './device.js';
import { type SignInDeviceKeys, signInDeviceKeys } from './device-identity.js';
import { InvalidInputError, SessionLimitError } from './errors.js';
import { checkGeoPolicy, locate } from './geo.js';
import { checkMetadata, checkOptionalString, checkUserId } from './input.js';
import { DEVICE_CAP, type ManagerContext } from './manager-context.js';
import {
  type HeldCompletion,
  heldPayload,
  holdAtLimit,
  storeCompletion,
} from './pending-sign-in.js';
import { createRefreshToken } from './refresh-token.js';
import type { DeviceInfo, SessionLocation, SessionRisk } from './session.js';
import type { CreatedSession, CreateSessionInput } from './session-manager.js';
import { toPublicSession } from './session-record.js';
import type { CreateResult, SessionLimit, SessionRecord } from './session-store.js';
import { type ChallengeDecision, decideChallenge } from './sign-in-challenge.js';
import { assessSignIn } from './sign-in-risk.js';
import { createSessionId, createToken, hashToken } from './token.js';
import { parseUserAgent, truncateUserAgent } from './user-agent.js';

/** create()'s input once checked: what the caller passed explicitly. */
interface CheckedInput {
  userId: string;
  /** Kept with the sign-in when `limitPolicy: 'ask'` holds it. */
  pendingData: unknown;
  metadata: Record<string, unknown>;
  ipAddress: string | undefined;
  userAgent: string | undefined;
  deviceId: string | undefined;
  headers: CreateSessionInput['headers'];
}

/** What the sign-in request says about the client. */
interface RequestFacts {
  ipAddress: string | null;
  userAgent: string | null;
  deviceInfo: DeviceInfo;
}

/** The new session's secrets: shown once, only their hashes are stored. */
interface Secrets {
  id: string;
  token: string;
  refreshToken: string | undefined;
}

/**
 * SessionManager.create, as the steps it takes: check the input, read the
 * request, locate it and apply the geo policy, assess risk, derive the device
 * keys, build the record, store it under the session limit, announce it.
 */
export async function createSession(
  ctx: ManagerContext,
  input: CreateSessionInput,
  /** Completing a held sign-in (limitPolicy 'ask'): its user, metadata and choice. */
  held?: HeldCompletion,
): Promise<CreatedSession> {
  const checked = held
    ? { ...checkCreateInput({ ...input, userId: held.userId }), metadata: held.metadata }
    : checkCreateInput(input);
  const request = readRequest(ctx, checked);
  const location = await locate(ctx.o.geo, request.ipAddress, ctx.o.logger);
  checkGeoPolicy(ctx.o.geoPolicy, location);

  const nowMs = ctx.o.now();
  const { risk, prior } = await assessSignIn(ctx, checked.userId, new Date(nowMs), location);
  const device = signInDeviceKeys(
    checked.userId,
    request.deviceInfo,
    checked.headers,
    checked.deviceId ?? readDeviceIdCookie(checked.headers),
  );
  const challenge = await decideChallenge(ctx, checked.userId, risk, device, prior);
  const secrets = issueSecrets(ctx, checked.userId);
  const record = buildRecord(ctx, {
    checked,
    request,
    location,
    risk,
    device,
    secrets,
    nowMs,
    challenge,
  });
  const result = held
    ? {
        outcome: 'created' as const,
        ...(await storeCompletion(ctx, held, record, storeOptions(device), nowMs)),
        evicted: [],
      }
    : await storeUnderLimit(ctx, record, device, checked, nowMs);
  const session = announceCreated(ctx, checked.userId, result, risk);

  const deviceId = device.nextId;
  return secrets.refreshToken === undefined
    ? { session, token: secrets.token, deviceId }
    : { session, token: secrets.token, refreshToken: secrets.refreshToken, deviceId };
}

/** Step 1: input checks. Throws InvalidInputError with a fix-it message. */
function checkCreateInput(input: CreateSessionInput): CheckedInput {
  const method = 'create';
  if (!input || typeof input !== 'object') {
    throw new InvalidInputError('create: pass an object like { userId, headers }.');
  }
  const userId = checkUserId(method, input.userId);
  const metadata = checkMetadata(method, input.metadata);
  const ipAddress = checkOptionalString(method, 'ipAddress', input.ipAddress);
  const userAgent = checkOptionalString(method, 'userAgent', input.userAgent);
  const deviceId = checkOptionalString(method, 'deviceId', input.deviceId);
  if (deviceId !== undefined && !isDeviceId(deviceId)) {
    throw new InvalidInputError(
      'create: deviceId must be a device id from createDeviceId() (22–64 URL-safe characters).',
    );
  }
  if (
    input.headers !== undefined &&
    (input.headers === null || typeof input.headers !== 'object')
  ) {
    throw new InvalidInputError(
      'create: headers must be a Headers object or a plain header record.',
    );
  }
  return {
    userId,
    pendingData: input.pendingData,
    metadata,
    ipAddress,
    userAgent,
    deviceId,
    headers: input.headers,
  };
}

/** Step 2: the client IP (explicit, or per `trustProxy` from the headers) and user agent. */
function readRequest(ctx: ManagerContext, checked: CheckedInput): RequestFacts {
  let ipAddress: string | null;
  if (checked.ipAddress !== undefined) {
    ipAddress = normalizeIp(checked.ipAddress);
    if (ipAddress === null) {
      throw new InvalidInputError('create: ipAddress is not a valid IPv4 or IPv6 address.');
    }
  } else {
    ipAddress = getClientIp(checked.headers, ctx.o.trustProxy);
  }
  const userAgent = truncateUserAgent(
    checked.userAgent ?? readHeader(checked.headers, 'user-agent'),
  );
  return { ipAddress, userAgent, deviceInfo: parseUserAgent(userAgent) };
}

/** Step 3: a fresh session id, token and (when enabled) refresh token. */
function issueSecrets(ctx: ManagerContext, userId: string): Secrets {
  const id = createSessionId(userId, ctx.o.keys.secret);
  const token = createToken(id);
  const refreshToken = ctx.o.refreshTokens
    ? createRefreshToken(ctx.o.keys.refreshKey, id, 0)
    : undefined;
  return { id, token, refreshToken };
}

/** Step 4: the record to store; it holds only hashes of the secrets. */
function buildRecord(
  ctx: ManagerContext,
  parts: {
    checked: CheckedInput;
    request: RequestFacts;
    location: SessionLocation | null;
    risk: SessionRisk | null;
    device: SignInDeviceKeys;
    secrets: Secrets;
    nowMs: number;
    challenge: ChallengeDecision;
  },
): SessionRecord {
  const { checked, request, location, risk, device, secrets, nowMs, challenge } = parts;
  const policy = ctx.o.suspiciousLogin?.policy;
  const now = new Date(nowMs);
  const expiresAt = new Date(nowMs + ctx.o.expiresIn);
  return {
    id: secrets.id,
    userId: checked.userId,
    status: 'ACTIVE',
    ipAddress: request.ipAddress,
    userAgent: request.userAgent,
    deviceInfo: request.deviceInfo,
    location,
    createdAt: now,
    lastActivityAt: now,
    expiresAt,
    endedAt: null,
    endReason: null,
    metadata: checked.metadata,
    tokenHash: hashToken(secrets.token),
    refreshTokenHash: secrets.refreshToken === undefined ? null : hashToken(secrets.refreshToken),
    retiredRefreshTokenHashes: [],
    deviceKey: device.key,
    purgeAt: new Date(expiresAt.getTime() + ctx.o.historyRetention),
    risk: risk !== null && (policy === 'flag' || policy === 'challenge') ? risk : null,
    verification: null,
    refreshRequestedAt: null,
    // Only set when true, so records of apps without challenges keep their shape.
    ...(challenge.verificationRequired ? { verificationRequired: true } : {}),
    ...(challenge.trustedDevice ? { trustedDevice: true } : {}),
  };
}

const storeOptions = (device: SignInDeviceKeys) => ({
  deviceCap: DEVICE_CAP,
  previousDeviceKeys: device.previous,
});

/**
 * Step 5: one atomic store call that enforces `maxSessionsPerUser` (evicting
 * the oldest or refusing) and records the device. Throws SessionLimitError
 * (after `limitExceeded`) under 'reject', and under 'ask' after holding the
 * sign-in for the user to choose which session to end.
 */
async function storeUnderLimit(
  ctx: ManagerContext,
  record: SessionRecord,
  device: SignInDeviceKeys,
  checked: CheckedInput,
  nowMs: number,
): Promise<Extract<CreateResult, { outcome: 'created' }>> {
  const max = ctx.o.maxSessionsPerUser;
  const policy = ctx.o.onSessionLimit;
  // Checked before the write, so a bad pendingData never leaves a session behind.
  const payload = policy === 'ask' ? heldPayload(checked.metadata, checked.pendingData) : null;
  const limit: SessionLimit | null =
    max === null
      ? null
      : {
          max,
          // 'ask' refuses in the store; the hold happens here.
          onExceed: policy === 'revoke-oldest' ? 'revoke-oldest' : 'reject',
          liveness: ctx.liveness(nowMs),
          eviction: ctx.transition('REVOKED', 'session_limit', nowMs),
        };
  const result = await ctx.call('create', () =>
    ctx.o.store.create(record, limit, storeOptions(device)),
  );
  if (result.outcome === 'limit_reached') {
    ctx.events.emit('limitExceeded', {
      userId: record.userId,
      limit: max ?? 0,
      policy: policy === 'ask' ? 'ask' : 'reject',
      evicted: [],
    });
    if (payload !== null) throw await holdAtLimit(ctx, record.userId, payload, nowMs);
    throw new SessionLimitError(max ?? 0);
  }
  return result;
}

/** Step 6: the events of a sign-in, after the write they describe. */
function announceCreated(
  ctx: ManagerContext,
  userId: string,
  result: Extract<CreateResult, { outcome: 'created' }>,
  risk: SessionRisk | null,
) {
  const session = toPublicSession(result.session);
  if (result.evicted.length > 0) {
    const evicted = result.evicted.map(toPublicSession);
    for (const ended of evicted) {
      ctx.events.emit('revoked', { session: ended, reason: 'session_limit' });
    }
    ctx.events.emit('limitExceeded', {
      userId,
      limit: ctx.o.maxSessionsPerUser ?? 0,
      policy: 'revoke-oldest',
      evicted,
    });
  }
  ctx.events.emit('created', { session });
  if (!result.knownDevice) {
    ctx.events.emit('newDevice', { session: toPublicSession(result.session) });
  }
  if (risk !== null && ctx.o.suspiciousLogin) {
    ctx.events.emit('suspiciousLogin', {
      userId,
      reasons: [...risk.reasons],
      policy: ctx.o.suspiciousLogin.policy,
      session: toPublicSession(result.session),
    });
  }
  return session;
}
