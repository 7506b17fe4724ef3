import { SessionManagement } from '@sessionkit/react';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { auth } from '@/auth';

export default async function SessionsPage() {
  if (!(await auth())) redirect('/login');
  return (
    <main>
      <Link href="/">Home</Link>
      <SessionManagement />
    </main>
  );
}
