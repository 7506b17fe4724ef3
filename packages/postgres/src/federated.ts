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
import { decodeSession, iso, json, SESSION_COLUMNS, type SessionRow } from './codec.js';
import type { Exec, Guard } from './guard.js';

// Federated sign-out (issue 16): a session's origin is its row's `origin` jsonb
// column (migration 002), never decoded into the record. endFederated pages
// the partial (issuer, sid | subject, created_at, id) index, then ends the page
// in one conditional UPDATE, as endAllForUser does.

export interface FederatedDeps {
  guard: Guard;
  /** Quoted, schema-qualified session table. */
  S: string;
  storeNow: () => string;
  live: (a: number, b: number) => string;
  liveParams: (l: Liveness) => [string, string | null];
  endSet: (first: number) => string;
  endParams: (t: Omit<EndTransition, 'historyCap'>) => unknown[];
  trim: (exec: Exec, userId: string, cap: number) => Promise<unknown>;
}

interface OriginRow {
  origin: SessionOrigin | null;
}

export function federatedMethods(deps: FederatedDeps) {
  const { guard, S, storeNow, live, liveParams, endSet, endParams, trim } = deps;
  return {
    async linkOrigin(
      sessionId: string,
      origin: SessionOrigin,
      liveness: Liveness,
    ): Promise<boolean> {
      const { rows } = await guard.run<{ id: string }>(
        'linkOrigin',
        `UPDATE ${S} SET origin = $2::jsonb WHERE id = $1 AND purge_at > $3 AND ${live(4, 5)} RETURNING id`,
        [
          sessionId,
          json({
            providerId: origin.providerId,
            issuer: origin.issuer,
            subject: origin.subject,
            sid: origin.sid,
            idToken: origin.idToken,
          }),
          storeNow(),
          ...liveParams(liveness),
        ],
      );
      return rows.length === 1;
    },

    async getOrigin(sessionId: string): Promise<SessionOrigin | null> {
      const { rows } = await guard.run<OriginRow>(
        'getOrigin',
        `SELECT origin FROM ${S} WHERE id = $1 AND status = 'ACTIVE' AND purge_at > $2`,
        [sessionId, storeNow()],
      );
      const o = rows[0]?.origin;
      if (!o) return null;
      return storedOrigin(o);
    },

    async endFederated(
      match: FederatedMatch,
      transition: EndTransition,
      batch: FederatedEndBatch,
    ): Promise<EndAllResult> {
      if (match.sid === null && match.subject === null) return { ended: [], next: null };
      return guard.call('endFederated', async (exec) => {
        // $1 issuer, $2 sid (null: any), $3 subject (null: any).
        const matches = `origin->>'issuer' = $1 AND ($2::text IS NULL OR origin->>'sid' = $2) AND ($3::text IS NULL OR origin->>'subject' = $3)`;
        const values: unknown[] = [
          match.issuer,
          match.sid,
          match.subject,
          storeNow(),
          batch.limit + 1,
        ];
        let after = '';
        if (batch.after !== null) {
          values.push(iso(batch.after.at), batch.after.id);
          after = ` AND (created_at, id) > ($6::timestamptz, $7::text)`;
        }
        const page = await exec<{ id: string; created_at: Date }>(
          `SELECT id, created_at FROM ${S} WHERE ${matches} AND status = 'ACTIVE' AND purge_at > $4${after}
           ORDER BY created_at, id LIMIT $5`,
          values,
        );
        const examined = page.rows.slice(0, batch.limit);
        const last = examined[examined.length - 1];
        const next =
          page.rows.length > batch.limit && last
            ? { at: new Date(new Date(last.created_at).getTime()), id: last.id }
            : null;
        if (examined.length === 0) return { ended: [], next };
        const { rows } = await exec<SessionRow>(
          `UPDATE ${S} SET ${endSet(8)} WHERE id = ANY($4::text[]) AND ${matches}
             AND created_at <= $5::timestamptz AND ${live(6, 7)}
           RETURNING ${SESSION_COLUMNS}`,
          [
            match.issuer,
            match.sid,
            match.subject,
            examined.map((r) => r.id),
            iso(batch.createdAtOrBefore),
            ...liveParams(batch.liveness),
            ...endParams(transition),
          ],
        );
        const ended: SessionRecord[] = rows.map(decodeSession);
        for (const userId of new Set(ended.map((r) => r.userId))) {
          await trim(exec, userId, transition.historyCap);
        }
        return { ended, next };
      });
    },
  };
}
