'use client';

import { useSession } from '@sessionkit/react';
import Link from 'next/link';
import { usePathname } from 'next/navigation';

const NAV = [
  { href: '/', label: 'Dashboard' },
  { href: '/contacts', label: 'Contacts' },
  { href: '/deals', label: 'Deals' },
  { href: '/settings/sessions', label: 'Devices' },
  { href: '/settings/activity', label: 'Security log' },
  { href: '/settings/notifications', label: 'Notifications' },
];

export function Header() {
  const pathname = usePathname();
  const { data, status, sessions, signOut } = useSession();
  const signedIn = status === 'authenticated';

  return (
    <header className="header">
      <Link href="/" className="brand">
        <span className="brand-mark" aria-hidden="true">
          P
        </span>
        Pipeline CRM
      </Link>
      {signedIn && (
        <nav aria-label="Main" className="nav">
          {NAV.map((item) => (
            <Link
              key={item.href}
              href={item.href}
              className="nav-link"
              aria-current={pathname === item.href ? 'page' : undefined}
            >
              {item.label}
              {item.href === '/settings/sessions' && sessions.length > 0 && (
                <span className="nav-count">
                  {sessions.length}
                  <span className="sr-only"> active</span>
                </span>
              )}
            </Link>
          ))}
        </nav>
      )}
      <div className="account">
        {signedIn ? (
          <>
            <span className="account-name">
              <span data-testid="signed-in-as">{data?.user?.name ?? data?.user?.email}</span>
              {data?.user?.role && <span className="account-role">{data.user.role}</span>}
            </span>
            <button
              type="button"
              className="button button-secondary"
              onClick={() => void signOut({ callbackUrl: '/login' })}
            >
              Sign out
            </button>
          </>
        ) : (
          status === 'unauthenticated' &&
          pathname !== '/login' && (
            <Link href="/login" className="button">
              Sign in
            </Link>
          )
        )}
      </div>
    </header>
  );
}
