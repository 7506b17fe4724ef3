// A tiny in-memory Auth.js adapter: the app "has an adapter" and so must say
// session: { strategy: 'jwt' } for sessionkit.
import type { Adapter, AdapterAccount, AdapterUser } from 'next-auth/adapters';

const users = new Map<string, AdapterUser>();
const accounts = new Map<string, AdapterAccount>();

export const adapter: Adapter = {
  async createUser(user) {
    const created = { ...user, id: user.id ?? crypto.randomUUID() };
    users.set(created.id, created);
    return created;
  },
  async getUser(id) {
    return users.get(id) ?? null;
  },
  async getUserByEmail(email) {
    return [...users.values()].find((u) => u.email === email) ?? null;
  },
  async getUserByAccount({ provider, providerAccountId }) {
    const account = accounts.get(`${provider}:${providerAccountId}`);
    return account ? (users.get(account.userId) ?? null) : null;
  },
  async updateUser(user) {
    const updated = { ...users.get(user.id)!, ...user } as AdapterUser;
    users.set(updated.id, updated);
    return updated;
  },
  async linkAccount(account) {
    accounts.set(`${account.provider}:${account.providerAccountId}`, account);
    return account;
  },
};
