// Walks through a session's whole lifecycle on the in-memory store and prints it.
// Run from the repository root: `pnpm demo:cli` (builds @sessionkit/core first).
import { createMemoryStore, createSessionManager, MINUTE } from '@sessionkit/core';

let now = Date.parse('2026-01-01T09:00:00Z');
const clock = () => now;
const manager = createSessionManager({
  store: createMemoryStore({ now: clock }),
  now: clock,
  maxSessionsPerUser: 3,
  refreshTokens: true,
  trustProxy: 1,
});
for (const event of [
  'created',
  'newDevice',
  'revoked',
  'loggedOut',
  'expired',
  'limitExceeded',
  'refreshReuse',
]) {
  manager.on(event, (payload) => {
    const id = payload.session?.id ?? payload.userId;
    console.log(
      `  ↳ event ${event.padEnd(13)} ${id}${payload.reason ? ` (${payload.reason})` : ''}`,
    );
  });
}

const laptop = new Headers({
  'user-agent':
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'x-forwarded-for': '198.51.100.23',
});
const phone = new Headers({
  'user-agent':
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'x-forwarded-for': '203.0.113.80',
});
const describe = (s) =>
  `${s.id}  ${s.status.padEnd(10)} ${s.deviceInfo.type.padEnd(7)} ${s.deviceInfo.browser} on ${s.deviceInfo.os}  ip ${s.ipAddress}  last active ${s.lastActivityAt.toISOString()}${s.endReason ? `  (${s.endReason})` : ''}`;

console.log('1. Ada signs in on her laptop and her phone');
const onLaptop = await manager.create({ userId: 'ada', headers: laptop });
const onPhone = await manager.create({ userId: 'ada', headers: phone });
console.log(
  `   the laptop holds a ${onLaptop.token.length}-character token; the store only keeps its SHA-256\n`,
);

console.log('2. Ten minutes later the laptop makes a request: validate() touches activity');
now += 10 * MINUTE;
await manager.validate(onLaptop.token);
for (const s of await manager.list('ada')) console.log(`   ${describe(s)}`);

console.log('\n3. From the laptop, Ada signs out her phone');
await manager.revoke(onPhone.session.id, { userId: 'ada' });
console.log(`   phone token now validates to: ${await manager.validate(onPhone.token)}`);

console.log(
  '\n4. The laptop rotates its refresh token; a replay of the old one revokes the session',
);
const rotated = await manager.refresh(onLaptop.refreshToken);
console.log(`   rotated: new token issued for ${rotated.session.id}`);
console.log(
  `   replaying the old refresh token gives: ${await manager.refresh(onLaptop.refreshToken)}`,
);

console.log('\n5. Ada signs in again; 30 days later that session expires on its own');
const again = await manager.create({ userId: 'ada', headers: laptop });
now += 30 * 24 * 60 * MINUTE;
console.log(`   validate after 30 days: ${await manager.validate(again.token)}`);

console.log('\n6. History, most recently ended first');
for (const s of await manager.history('ada')) console.log(`   ${describe(s)}`);
