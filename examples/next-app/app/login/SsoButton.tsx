'use client';

import { signIn } from 'next-auth/react';

/** "Sign in with SSO": the demo's local OpenID provider (lib/sso.ts). */
export function SsoButton({ callbackUrl }: { callbackUrl: string }) {
  return (
    <button
      type="button"
      className="button button-secondary"
      onClick={() => {
        void signIn('sso', { callbackUrl });
      }}
    >
      Sign in with SSO
    </button>
  );
}
