// The store authors' names the main entry used to export, kept one minor version
// as deprecated aliases of their '@sessionkit/core/store' originals (see the
// changeset 'core-store-subpath'). New code imports them from '@sessionkit/core/store'.
import * as input from './input.js';
import type * as contract from './session-store.js';
import * as liveness from './session-store.js';
import * as token from './token.js';

/** @deprecated Import from '@sessionkit/core/store'. */
export const hashToken: typeof token.hashToken = token.hashToken;
/** @deprecated Import from '@sessionkit/core/store'. */
export const userShard: typeof token.userShard = token.userShard;
/** @deprecated Import from '@sessionkit/core/store'. */
export const legacyUserShard: typeof token.legacyUserShard = token.legacyUserShard;
/** @deprecated Import from '@sessionkit/core/store'. */
export const sessionIdShard: typeof token.sessionIdShard = token.sessionIdShard;
/** @deprecated Import from '@sessionkit/core/store'. */
export const isLive: typeof liveness.isLive = liveness.isLive;
/** @deprecated Import from '@sessionkit/core/store'. */
export const expiryOf: typeof liveness.expiryOf = liveness.expiryOf;
/** @deprecated Import from '@sessionkit/core/store'. */
export const isWellFormedText: typeof input.isWellFormedText = input.isWellFormedText;
/** @deprecated Import from '@sessionkit/core/store'. */
export type CleanupInput = contract.CleanupInput;
/** @deprecated Import from '@sessionkit/core/store'. */
export type CleanupResult = contract.CleanupResult;
/** @deprecated Import from '@sessionkit/core/store'. */
export type CreateOptions = contract.CreateOptions;
/** @deprecated Import from '@sessionkit/core/store'. */
export type CreateResult = contract.CreateResult;
/** @deprecated Import from '@sessionkit/core/store'. */
export type EndAllBatch = contract.EndAllBatch;
/** @deprecated Import from '@sessionkit/core/store'. */
export type EndAllResult = contract.EndAllResult;
/** @deprecated Import from '@sessionkit/core/store'. */
export type EndGuard = contract.EndGuard;
/** @deprecated Import from '@sessionkit/core/store'. */
export type EndTransition = contract.EndTransition;
/** @deprecated Import from '@sessionkit/core/store'. */
export type KnownDeviceRecord = contract.KnownDeviceRecord;
/** @deprecated Import from '@sessionkit/core/store'. */
export type Liveness = contract.Liveness;
/** @deprecated Import from '@sessionkit/core/store'. */
export type PageCursor = contract.PageCursor;
/** @deprecated Import from '@sessionkit/core/store'. */
export type PageQuery = contract.PageQuery;
/** @deprecated Import from '@sessionkit/core/store'. */
export type RecordPage = contract.RecordPage;
/** @deprecated Import from '@sessionkit/core/store'. */
export type RefreshRotation = contract.RefreshRotation;
/** @deprecated Import from '@sessionkit/core/store'. */
export type RefreshRotationResult = contract.RefreshRotationResult;
/** @deprecated Import from '@sessionkit/core/store'. */
export type SessionLimit = contract.SessionLimit;
/** @deprecated Import from '@sessionkit/core/store'. */
export type SessionRecord = contract.SessionRecord;
/** @deprecated Import from '@sessionkit/core/store'. */
export type TouchUpdate = contract.TouchUpdate;
/** @deprecated Import from '@sessionkit/core/store'. */
export type VerificationUpdate = contract.VerificationUpdate;
