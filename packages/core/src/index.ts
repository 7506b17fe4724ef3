export * from './errors.js';
export * from './session.js';
export * from './session-store.js';
