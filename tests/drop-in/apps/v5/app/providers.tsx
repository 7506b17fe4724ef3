'use client';

import { SessionProvider } from 'next-auth/react';
import type { ReactNode } from 'react';

// basePath: next-auth is mounted at /auth, not /api/auth.
export function Providers({ children }: { children: ReactNode }) {
  return <SessionProvider basePath="/auth">{children}</SessionProvider>;
}
