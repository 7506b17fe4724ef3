import {
  type EndAllResult,
  type EndTransition,
  type FederatedEndBatch,
  type FederatedMatch,
  type Liveness,
  type SessionOrigin,
  type SessionRecord,
  storedOrigin,
} from '@sessionkit/core/store';
import type { mongo } from 'mongoose';
import { date } from './codec.js';
import { MAJORITY } from './lease.js';
import { endFields, liveFilter } from './liveness.js';
import type { OriginDoc, SessionDoc } from './schema.js';
import {
  checkDate,
  checkLiveness,
  checkPageQuery,
  checkSessionId,
  checkTransition,
} from './validate.js';

// Federated sign-out (issue 16): a session's origin is the `origin`
// sub-document of its own session document, never read into the record.
// Partial indexes on (origin.issuer, origin.sid | origin.subject, createdAt, _id)
// over ACTIVE documents make each endFederated batch one bounded index range.

type Filter = mongo.Filter<SessionDoc>;

export interface FederatedDeps {
  sessions: mongo.Collection<SessionDoc>;
  findAll: (filter: Filter, options?: mongo.FindOptions) => Promise<SessionDoc[]>;
  endBatch: (
    filter: Filter,
    stamp: (marker: string) => mongo.UpdateFilter<SessionDoc>,
    readBack: (marker: string) => Filter,
  ) => Promise<SessionRecord[]>;
  capHistory: (userId: string, cap: number) => Promise<void>;
}

const toOriginDoc = (o: SessionOrigin): OriginDoc => ({
  providerId: o.providerId,
  issuer: o.issuer,
  subject: o.subject,
  sid: o.sid,
  idToken: o.idToken,
});

const matchFilter = (match: FederatedMatch): Filter => {
  const filter: Filter = { 'origin.issuer': match.issuer };
  if (match.sid !== null) filter['origin.sid'] = match.sid;
  if (match.subject !== null) filter['origin.subject'] = match.subject;
  return filter;
};

export function federatedMethods(deps: FederatedDeps) {
  const { sessions, findAll, endBatch, capHistory } = deps;
  return {
    async linkOrigin(
      sessionId: string,
      origin: SessionOrigin,
      liveness: Liveness,
    ): Promise<boolean> {
      checkSessionId('linkOrigin', sessionId);
      checkLiveness('linkOrigin', liveness);
      const result = await sessions.updateOne(
        { _id: sessionId, ...liveFilter(liveness) },
        { $set: { origin: toOriginDoc(origin) } },
        MAJORITY,
      );
      return result.matchedCount === 1;
    },

    async getOrigin(sessionId: string): Promise<SessionOrigin | null> {
      checkSessionId('getOrigin', sessionId);
      const [doc] = await findAll(
        { _id: sessionId, status: 'ACTIVE' },
        { projection: { _id: 1, origin: 1 }, limit: 1 },
      );
      const o = doc?.origin;
      if (!o) return null;
      return storedOrigin(o);
    },

    async endFederated(
      match: FederatedMatch,
      transition: EndTransition,
      batch: FederatedEndBatch,
    ): Promise<EndAllResult> {
      checkTransition('endFederated', transition);
      checkLiveness('endFederated', batch?.liveness);
      checkPageQuery('endFederated', batch);
      checkDate('endFederated', batch.createdAtOrBefore, 'batch.createdAtOrBefore');
      if (match.sid === null && match.subject === null) return { ended: [], next: null };
      const after = batch.after;
      const position: Filter =
        after === null
          ? {}
          : {
              $or: [
                { createdAt: { $gt: after.at } },
                { createdAt: after.at, _id: { $gt: after.id } },
              ],
            };
      // One bounded page of the linked ACTIVE sessions in (createdAt, _id) order.
      const found = await findAll(
        { ...matchFilter(match), status: 'ACTIVE', ...position },
        {
          projection: { _id: 1, userId: 1, createdAt: 1 },
          sort: { createdAt: 1, _id: 1 },
          limit: batch.limit + 1,
        },
      );
      const examined = found.slice(0, batch.limit);
      const last = examined[examined.length - 1];
      const next =
        found.length > batch.limit && last ? { at: date(last.createdAt), id: last._id } : null;
      const ids = examined.map((d) => d._id);
      if (ids.length === 0) return { ended: [], next };
      // Then one updateMany over exactly those still linked, live and old enough.
      const ended = await endBatch(
        {
          _id: { $in: ids },
          ...matchFilter(match),
          createdAt: { $lte: batch.createdAtOrBefore },
          ...liveFilter(batch.liveness),
        },
        (marker) => ({ $set: { ...endFields(transition), endBatch: marker } }),
        (marker) => ({ _id: { $in: ids }, endBatch: marker }),
      );
      for (const userId of new Set(ended.map((r) => r.userId))) {
        await capHistory(userId, transition.historyCap);
      }
      return { ended, next };
    },
  };
}
