// Two demo accounts, shown on the login page. A real app checks a password hash.
export const DEMO_USERS = [
  { id: 'user_alice', name: 'Alice Moreau', email: 'alice@example.com', password: 'alice-demo' },
  { id: 'user_bob', name: 'Bob Okafor', email: 'bob@example.com', password: 'bob-demo' },
] as const;

export function findDemoUser(email: unknown, password: unknown) {
  if (typeof email !== 'string' || typeof password !== 'string') return null;
  const user = DEMO_USERS.find((u) => u.email === email.trim().toLowerCase());
  return user && user.password === password ? user : null;
}
