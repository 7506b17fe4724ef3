// A NextAuth adapter (users and linked accounts in memory) whose write methods
// are spies: tests assert what a flow created or linked. The same object fits
// next-auth v4's `Adapter` and @auth/core's.
import { vi } from 'vitest';

export interface AdapterUser {
  id: string;
  email: string;
  name?: string | null;
  emailVerified: Date | null;
}

export interface AdapterAccount {
  userId: string;
  provider: string;
  providerAccountId: string;
  type: string;
  [key: string]: unknown;
}

export function createMemoryAdapter() {
  const users = new Map<string, AdapterUser>();
  const accounts: AdapterAccount[] = [];
  let next = 1;
  const adapter = {
    createUser: vi.fn(async (user: Omit<AdapterUser, 'id'>) => {
      const created = { ...user, id: `user-${next++}` } as AdapterUser;
      users.set(created.id, created);
      return created;
    }),
    getUser: vi.fn(async (id: string) => users.get(id) ?? null),
    getUserByEmail: vi.fn(
      async (email: string) => [...users.values()].find((u) => u.email === email) ?? null,
    ),
    getUserByAccount: vi.fn(
      async ({ provider, providerAccountId }: { provider: string; providerAccountId: string }) => {
        const account = accounts.find(
          (a) => a.provider === provider && a.providerAccountId === providerAccountId,
        );
        return account ? (users.get(account.userId) ?? null) : null;
      },
    ),
    updateUser: vi.fn(async (user: Partial<AdapterUser> & { id: string }) => {
      const updated = { ...users.get(user.id)!, ...user };
      users.set(user.id, updated);
      return updated;
    }),
    linkAccount: vi.fn(async (account: AdapterAccount) => {
      accounts.push(account);
      return account;
    }),
  };
  return {
    adapter,
    users,
    accounts,
    /** Forgets the calls so far (the victim's own sign-up), keeping the data. */
    clearCalls() {
      for (const fn of Object.values(adapter)) fn.mockClear();
    },
    /** The linked accounts of `userId`. */
    accountsOf: (userId: string) => accounts.filter((a) => a.userId === userId),
  };
}
