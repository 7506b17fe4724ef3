import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { ExpiryBanner } from '@/components/ExpiryBanner';
import { Header } from '@/components/Header';
import { getSession } from '@/lib/auth';
import { config } from '@/lib/config';
import { storeKind } from '@/lib/session-manager';
import { Providers } from './providers';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Pipeline CRM', template: '%s · Pipeline CRM' },
  description: 'A sessionkit example: tracked, revocable NextAuth sessions in a small CRM.',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await getSession();
  return (
    <html lang="en">
      <body>
        <Providers session={session}>
          <Header />
          <ExpiryBanner warnBeforeSeconds={config.sessionWarnBeforeSeconds} />
          <main className="main">{children}</main>
          <footer className="footer">
            Pipeline CRM · a sessionkit example · session store:{' '}
            <span data-testid="store-kind">{storeKind}</span>
          </footer>
        </Providers>
      </body>
    </html>
  );
}
