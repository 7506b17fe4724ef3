'use client';

import { SessionManagement } from '@sessionkit/react';

export default function SettingsPage() {
  // A short refresh interval so the test sees another device appear.
  return <SessionManagement refreshInterval={1000} />;
}
