'use client';

import { SessionLimitPicker } from '@sessionkit/react';

// Where a sign-in held at the session limit lands: the user signs out one of
// their devices and this one is signed in.
export function ChooseSession() {
  return <SessionLimitPicker headingLevel={2} callbackUrl="/" />;
}
