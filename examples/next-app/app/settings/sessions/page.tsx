import type { Metadata } from 'next';
import { DevicesPanel } from '@/components/DevicesPanel';
import { requireSession } from '@/lib/require-session';

export const metadata: Metadata = { title: 'Devices' };

export default async function SessionsPage() {
  await requireSession('/settings/sessions');
  return <DevicesPanel />;
}
