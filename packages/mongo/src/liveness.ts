import type { EndTransition, Liveness } from '@sessionkit/core/store';
import type { mongo } from 'mongoose';
import type { SessionDoc } from './schema.js';

// The liveness and expiry rules as MongoDB filters and update pipelines. They
// re-state core's isLive() / expiryOf() (packages/core/src/session-store.ts),
// as the Redis store's Lua `is_live` does (packages/redis/src/scripts.ts):
// change all three together. The conformance case "liveness: the boundary
// instants" pins them to the same answers.

type Filter = mongo.Filter<SessionDoc>;

/** The filter for "ACTIVE and still live at `liveness.now`" (see core's isLive()). */
export function liveFilter(liveness: Liveness): Filter {
  const filter: Filter = { status: 'ACTIVE', expiresAt: { $gt: liveness.now } };
  if (liveness.idleTimeoutMs !== null) {
    filter.lastActivityAt = { $gt: new Date(liveness.now.getTime() - liveness.idleTimeoutMs) };
  }
  return filter;
}

export function endFields(transition: EndTransition) {
  return {
    status: transition.status,
    endReason: transition.reason,
    endedAt: transition.endedAt,
    purgeAt: transition.purgeAt,
  };
}

/**
 * An update pipeline that marks not-live records EXPIRED with each record's own
 * expiry (core's expiryOf(): the earlier of idle and absolute expiry) and
 * purgeAt = endedAt + retention, all in one updateMany.
 */
export function expirePipeline(idleTimeoutMs: number | null, retentionMs: number, marker: string) {
  const idleAt = { $add: ['$lastActivityAt', idleTimeoutMs] };
  const isIdle = { $lt: [idleAt, '$expiresAt'] };
  return [
    {
      $set: {
        status: { $literal: 'EXPIRED' },
        endReason:
          idleTimeoutMs === null
            ? { $literal: 'expired' }
            : { $cond: [isIdle, { $literal: 'idle_timeout' }, { $literal: 'expired' }] },
        endedAt: idleTimeoutMs === null ? '$expiresAt' : { $cond: [isIdle, idleAt, '$expiresAt'] },
        endBatch: { $literal: marker },
      },
    },
    { $set: { purgeAt: { $add: ['$endedAt', retentionMs] } } },
  ];
}
