// Next's server installs AsyncLocalStorage on globalThis before loading its
// request storages (next/dist/server/node-environment); a test that loads them
// directly does the same first, or they fall back to a stub that throws.
import { AsyncLocalStorage } from 'node:async_hooks';

const global = globalThis as { AsyncLocalStorage?: unknown };
global.AsyncLocalStorage ??= AsyncLocalStorage;
