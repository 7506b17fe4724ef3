// The demo accounts, shown on the login page (and printed by `npm run demo`,
// which reads the same JSON). A real app checks a password hash from its user
// table instead.
import users from './demo-users.json';

export interface DemoUser {
  id: string;
  name: string;
  email: string;
  password: string;
  role: string;
}

export const DEMO_USERS: readonly DemoUser[] = users;

export function findDemoUser(email: unknown, password: unknown): DemoUser | null {
  if (typeof email !== 'string' || typeof password !== 'string') return null;
  const user = DEMO_USERS.find((u) => u.email === email.trim().toLowerCase());
  return user && user.password === password ? user : null;
}
