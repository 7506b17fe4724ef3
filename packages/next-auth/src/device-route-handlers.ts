import { isKnownDeviceId, type SessionManager } from '@sessionkit/core';
import {
  type ApiRequest,
  type ApiResponse,
  type Awaitable,
  allowedOriginSet,
  appRouterHandler,
  authorize,
  checkGetSession,
  checkManager,
  error,
  isCaller,
  ok,
  type TrackedSessionLike,
} from './route-helpers.js';

export interface DeviceRouteHandlersOptions {
  /** The session manager from `createSessionManager({ store })`. */
  manager: SessionManager;
  /**
   * The verified NextAuth session of the caller, or null: `() => getServerSession(authOptions)`
   * (v4) or `() => auth()` (v5). The owner is taken from it, never from the request.
   */
  getSession: (request: Request) => Awaitable<TrackedSessionLike | null | undefined>;
  /**
   * Origins besides the request's own that may send DELETE, e.g.
   * `['https://app.example.com']` when a proxy rewrites the `Host` header.
   * @default []
   */
  allowedOrigins?: string[];
  /**
   * Whether a proxy you run sets `X-Forwarded-Proto` (the Origin check then
   * takes the scheme from it). @default false
   */
  trustProxy?: boolean;
}

/** The App Router handlers for `app/api/sessions/devices/route.ts`. */
export interface DeviceRouteHandlers {
  /** `GET` → 200 `{ devices }`: the caller's known devices, most recently seen first. */
  GET(request: Request): Promise<Response>;
  /** `DELETE ?deviceId=<id>` → 200 `{ forgotten: 1 }`; 404 when the caller has no such device. */
  DELETE(request: Request): Promise<Response>;
}

/**
 * Route handlers for the caller's known devices (kept beyond their sessions,
 * so a sign-in from one of them does not fire `newDevice`). Forgetting a
 * device makes its next sign-in count as new again; it does not sign anything
 * out (revoke its sessions with `/api/sessions` for that). Same rules as
 * `createSessionRouteHandlers`: JSON, `Cache-Control: no-store`, 401
 * without a live session, 403 on a cross-site DELETE, 400 on malformed input.
 *
 * @example
 * // app/api/sessions/devices/route.ts
 * export const { GET, DELETE } = createDeviceRouteHandlers({ manager, getSession: () => auth() });
 */
export function createDeviceRouteHandlers(
  options: DeviceRouteHandlersOptions,
): DeviceRouteHandlers {
  const fn = 'createDeviceRouteHandlers';
  const { manager, getSession } = options ?? {};
  checkManager(fn, manager);
  checkGetSession(fn, getSession, '() => auth() or () => getServerSession(authOptions)');
  const allowedOrigins = allowedOriginSet(fn, options.allowedOrigins);

  const handler = (method: string) =>
    appRouterHandler(method, 'devices', async (request, original) => {
      const caller = await authorize(
        request,
        () => getSession(original),
        manager,
        allowedOrigins,
        'devices',
        options.trustProxy === true,
      );
      if (!isCaller(caller)) return caller;
      return method === 'GET'
        ? ok({ devices: await manager.listDevices(caller.userId) })
        : forget(request, manager, caller.userId);
    });

  return { GET: handler('GET'), DELETE: handler('DELETE') };
}

async function forget(
  request: ApiRequest,
  manager: SessionManager,
  userId: string,
): Promise<ApiResponse> {
  const entries = [...request.url.searchParams];
  const [key, value] = entries[0] ?? [];
  if (entries.length !== 1 || key !== 'deviceId' || !value || !isKnownDeviceId(value)) {
    return error(400, 'INVALID_INPUT', 'Pass exactly one query parameter: deviceId=<a device id>.');
  }
  if (!(await manager.forgetDevice(userId, value))) {
    return error(404, 'NOT_FOUND', 'You have no known device with this id.');
  }
  return ok({ forgotten: 1 });
}
