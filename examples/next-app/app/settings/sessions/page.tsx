import { SessionManagement } from '@sessionkit/react';
import type { Metadata } from 'next';
import { requireSession } from '@/lib/require-session';

export const metadata: Metadata = { title: 'Devices' };

export default async function SessionsPage() {
  await requireSession('/settings/sessions');
  return <SessionManagement />;
}
