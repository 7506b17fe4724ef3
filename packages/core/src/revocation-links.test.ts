import { describe, expect, it } from 'vitest';
import { createRevocationLinks } from './revocation-links.js';

const secret = 'x'.repeat(32);
const id = 'A'.repeat(28);

describe('createRevocationLinks', () => {
  it('verify() accepts exactly the token create() signed', () => {
    const links = createRevocationLinks({ secret, now: () => 1_000 });
    expect(links.verify(links.create(id))).toBe(id);
  });

  it('verify() rejects a signed token with extra .segments after the signature', () => {
    const links = createRevocationLinks({ secret, now: () => 1_000 });
    const token = links.create(id);
    expect(links.verify(`${token}.extra`)).toBeNull();
    expect(links.verify(`${token}.`)).toBeNull();
    expect(links.verify(`${token}.a.b`)).toBeNull();
  });
});
