import { createBackchannelLogoutHandler } from '@sessionkit/next-auth';
import { sessionManager } from '@/lib/session-manager';
import { ssoProvider } from '@/lib/sso';

// OpenID Connect back-channel logout: the SSO provider POSTs a Logout Token
// here when the user signs out there; the sessions it started end at once
// (docs/sso.md). Registered at the provider as the client's
// backchannel_logout_uri (scripts/sso-provider.mjs).
const sso = ssoProvider();
const handler = sso
  ? createBackchannelLogoutHandler({ manager: sessionManager, providers: [sso] })
  : null;

export function POST(request: Request): Promise<Response> | Response {
  if (!handler) return Response.json({ error: 'SSO is not configured' }, { status: 404 });
  return handler.POST(request);
}
