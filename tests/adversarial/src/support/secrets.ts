import { createHash } from 'node:crypto';
import { inspect } from 'node:util';

/**
 * Every form in which a token could leak: the raw token, its 43-character
 * secret part (the first 28 characters are the session id, which is public),
 * and its SHA-256 in base64url, base64 and hex.
 */
export function secretForms(token: string): string[] {
  return namedForms(token).map(([, form]) => form);
}

type FormKind = 'token' | 'secret part' | 'base64url hash' | 'base64 hash' | 'hex hash';

function namedForms(token: string): [FormKind, string][] {
  const digest = createHash('sha256').update(token).digest();
  return [
    ['token', token],
    ['secret part', token.slice(28)],
    ['base64url hash', digest.toString('base64url')],
    ['base64 hash', digest.toString('base64')],
    ['hex hash', digest.toString('hex')],
  ];
}

/** A registry of secrets handed out so far and a scanner for any text. */
export class SecretRegistry {
  readonly #forms = new Map<string, { label: string; raw: boolean }>();

  add(label: string, token: string | undefined): void {
    if (token === undefined) return;
    for (const [kind, form] of namedForms(token)) {
      this.#forms.set(form, { label: `${label} (${kind})`, raw: !kind.endsWith('hash') });
    }
  }

  get size(): number {
    return this.#forms.size;
  }

  /** Labels of the secrets that occur in `text`, e.g. `['token of s1 (hex hash)']`. */
  leaksIn(text: string): string[] {
    const found: string[] = [];
    for (const [form, { label }] of this.#forms) {
      if (text.includes(form)) found.push(label);
    }
    return found;
  }

  /** Like {@link leaksIn} for the raw secrets only (token and secret part), not their hashes. */
  rawLeaksIn(text: string): string[] {
    const found: string[] = [];
    for (const [form, { label, raw }] of this.#forms) {
      if (raw && text.includes(form)) found.push(label);
    }
    return found;
  }
}

/** Everything reachable from a value, as text: own and hidden properties, causes, stacks. */
export function dump(value: unknown): string {
  const parts = [
    inspect(value, {
      depth: 12,
      showHidden: true,
      maxArrayLength: 1000,
      maxStringLength: Number.POSITIVE_INFINITY,
      breakLength: Number.POSITIVE_INFINITY,
    }),
  ];
  try {
    parts.push(JSON.stringify(value) ?? '');
  } catch {
    // Circular payloads: inspect() covered them.
  }
  return parts.join('\n');
}
