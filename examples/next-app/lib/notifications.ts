import { createHmac } from 'node:crypto';
import {
  createRevocationLinks,
  type Session,
  type SessionManager,
  type SuspiciousLoginReason,
} from '@sessionkit/core';
import { DEMO_USERS } from './demo-users';
import { sendEmail } from './outbox';
import { authSecret } from './secret';

const REASONS: Record<SuspiciousLoginReason, string> = {
  new_country: 'a country you have not signed in from before',
  impossible_travel: 'a place too far from your last sign-in to have travelled in the time',
  login_burst: 'many sign-ins in a few minutes',
};

/**
 * Signed "this wasn't me" tokens. The key is derived from the auth secret
 * rather than being the secret itself, so a link never doubles as anything
 * NextAuth would accept.
 */
export function revocationLinks() {
  const secret = createHmac('sha256', authSecret()).update('not-me-links').digest('base64url');
  return createRevocationLinks({ secret, expiresIn: 7 * 24 * 60 * 60 * 1000 });
}

function appUrl(path: string): string {
  return new URL(path, process.env.NEXTAUTH_URL ?? 'http://localhost:3000').toString();
}

export function describeDevice(session: Session): string {
  const { browser, os, type } = session.deviceInfo;
  const name = [browser, os].filter(Boolean).join(' on ');
  return name || (type === 'unknown' ? 'an unknown device' : type);
}

export function describePlace(session: Session): string | null {
  const { city, country } = session.location ?? {};
  return [city, country].filter(Boolean).join(', ') || null;
}

/**
 * Emails the user (into the dev outbox) when a sign-in comes from a device
 * never seen before, or looks suspicious; one message per session, naming
 * every reason. Each carries a one-click "This wasn't me" link.
 */
export function registerNotifications(manager: SessionManager): void {
  const links = revocationLinks();
  const reasonsBySession = new Map<string, Set<string>>();

  const notify = (session: Session, reason: string) => {
    const user = DEMO_USERS.find((u) => u.id === session.userId);
    if (!user) return;
    const reasons = reasonsBySession.get(session.id) ?? new Set<string>();
    reasons.add(reason);
    reasonsBySession.set(session.id, reasons);
    // Bounded: only the latest sign-ins can still gain a reason.
    if (reasonsBySession.size > 500) {
      reasonsBySession.delete(reasonsBySession.keys().next().value as string);
    }

    const device = describeDevice(session);
    const place = describePlace(session);
    const notMeUrl = appUrl(`/not-me?token=${encodeURIComponent(links.create(session.id))}`);
    sendEmail({
      userId: user.id,
      to: user.email,
      sessionId: session.id,
      subject: `New sign-in to Pipeline CRM from ${device}`,
      notMeUrl,
      text: [
        `Hi ${user.name.split(' ')[0]},`,
        `your account was just signed in from ${device}${place ? ` near ${place}` : ''}` +
          ` (IP ${session.ipAddress ?? 'unknown'}) at ${session.createdAt.toISOString()}.`,
        `We are telling you because it came from ${[...reasons].join(', and from ')}.`,
        'If this was you, there is nothing to do.',
        `If it wasn't you, sign that device out: ${notMeUrl}`,
      ].join('\n'),
    });
  };

  manager.on('newDevice', ({ session }) => notify(session, 'a device we have not seen before'));
  manager.on('suspiciousLogin', ({ session, reasons }) => {
    if (!session) return; // policy 'reject': nothing was signed in
    for (const reason of reasons) notify(session, REASONS[reason]);
  });
}
