// Runs a handler the way Next.js 16's App Router runs a Route Handler, with
// Next's own code: inside its request and work async storages (so
// `cookies()` from `next/headers` is the real mutable jar), then merging the
// jar into the returned response with Next's `appendMutableCookies`, as
// `next/dist/server/route-modules/app-route/module.js` does. That merge
// re-parses the response's Set-Cookie headers: what it does to them is what a
// browser receives. `phase: 'render'` gives a Server Component's scope instead,
// where `cookies().set()` throws.
import './next-async-local-storage.js';
import { workAsyncStorage } from 'next/dist/server/app-render/work-async-storage.external.js';
import { workUnitAsyncStorage } from 'next/dist/server/app-render/work-unit-async-storage.external.js';
import { createRequestStoreForAPI } from 'next/dist/server/async-storage/request-store.js';
import { appendMutableCookies } from 'next/dist/server/web/spec-extension/adapters/request-cookies.js';

type Handler = (request: Request) => Promise<Response>;

/** `handler`, run as a Route Handler (or, with `phase: 'render'`, a Server Component) is. */
export function inNextRoute(
  handler: Handler,
  options: { phase?: 'action' | 'render' } = {},
): Handler {
  return async (request) => {
    const url = new URL(request.url);
    const requestStore = createRequestStoreForAPI(
      { headers: Object.fromEntries(request.headers) } as never,
      { pathname: url.pathname, search: url.search },
      { tags: [], expirationsByCacheKind: new Map() },
      undefined,
      { previewModeId: 'x', previewModeEncryptionKey: 'x', previewModeSigningKey: 'x' },
      undefined,
    );
    if (options.phase === 'render') requestStore.phase = 'render';
    const workStore = {
      route: url.pathname,
      page: url.pathname,
      isStaticGeneration: false,
      forceStatic: false,
      dynamicShouldError: false,
      forceDynamic: false,
    };
    const response = await workAsyncStorage.run(workStore as never, () =>
      workUnitAsyncStorage.run(requestStore as never, () => handler(request)),
    );
    const headers = new Headers(response.headers);
    if (!appendMutableCookies(headers, requestStore.mutableCookies)) return response;
    return new Response(response.body, { status: response.status, headers });
  };
}
