// Messages between tabs of one browser: BroadcastChannel where it exists, else
// the `storage` event (fired in every other tab when localStorage changes).

/** `ended`: this browser's session is over. `changed`: the list changed (a revoke). */
export type TabMessage = { type: 'ended' } | { type: 'changed' };

export interface TabChannel {
  post(message: TabMessage): void;
  close(): void;
}

const NOOP: TabChannel = { post() {}, close() {} };

/** Opens the channel `sessionkit:<name>`; a no-op outside the browser. */
export function openTabChannel(name: string, onMessage: (message: TabMessage) => void): TabChannel {
  const key = `sessionkit:${name}`;
  const receive = (data: unknown) => {
    if (typeof data !== 'object' || data === null) return;
    const type = (data as { type?: unknown }).type;
    if (type === 'ended' || type === 'changed') onMessage({ type });
  };

  if (typeof BroadcastChannel === 'function') {
    const channel = new BroadcastChannel(key);
    channel.onmessage = (event: MessageEvent) => receive(event.data);
    return {
      post: (message) => channel.postMessage(message),
      close: () => channel.close(),
    };
  }

  if (typeof window === 'undefined') return NOOP;
  const onStorage = (event: StorageEvent) => {
    if (event.key !== key || !event.newValue) return;
    try {
      receive(JSON.parse(event.newValue));
    } catch {
      // Not ours, or garbled: ignore.
    }
  };
  window.addEventListener('storage', onStorage);
  return {
    post(message) {
      try {
        // A changing nonce makes repeated messages still count as a change;
        // removing the key right away leaves nothing behind in storage.
        localStorage.setItem(key, JSON.stringify({ ...message, nonce: Math.random() }));
        localStorage.removeItem(key);
      } catch {
        // Storage disabled (private mode, quota): other tabs catch up on focus.
      }
    },
    close: () => window.removeEventListener('storage', onStorage),
  };
}
