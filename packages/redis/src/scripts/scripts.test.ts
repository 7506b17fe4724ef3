import { describe, expect, it } from 'vitest';
import { COMPLETE_SIGN_IN } from './complete-sign-in.js';
import { CREATE } from './create.js';
import { defineScript, runScript, type Script, type ScriptArg, transitionArgs } from './define.js';
import { END } from './end.js';
import { END_ALL } from './end-all.js';
import { FORGET } from './forget.js';
import { HOLD_SIGN_IN } from './hold-sign-in.js';
import { CLEAR_REFRESH, MARK_REFRESH, MARK_USER_REFRESH } from './mark-refresh.js';
import { PAGE } from './page.js';
import { ROTATE } from './rotate.js';
import { TAKE_DEVICE } from './take-device.js';
import { TOUCH } from './touch.js';
import { VERIFY } from './verify.js';

const ALL: Script[] = [
  CREATE,
  PAGE,
  TOUCH,
  END,
  END_ALL,
  ROTATE,
  TAKE_DEVICE,
  FORGET,
  VERIFY,
  MARK_REFRESH,
  MARK_USER_REFRESH,
  CLEAR_REFRESH,
  HOLD_SIGN_IN,
  COMPLETE_SIGN_IN,
];

/** The script's own Lua: without the generated prologue and the shared helpers. */
const bodyOf = (script: Script) =>
  script.lua.slice(script.lua.lastIndexOf('\nlocal function base_of'));

describe('Lua scripts: names, not positions', () => {
  it.each(ALL.map((s) => [s.name, s] as const))(
    '%s reads KEYS and ARGV only by the names it declares, and every declared ARG',
    (_, script) => {
      const body = bodyOf(script);
      // Positions appear only in the generated prologue.
      expect(body).not.toMatch(/\b(KEYS|ARGV)\[/);
      // A misspelt name would read nil in Lua, not fail: every name read is declared...
      const keysRead = new Set([...body.matchAll(/\bKEY\.(\w+)/g)].map((m) => m[1]));
      const argsRead = new Set([...body.matchAll(/\bARG\.(\w+)/g)].map((m) => m[1]));
      for (const prefix of [...body.matchAll(/\btransition\('(\w+)'\)/g)].map((m) => m[1])) {
        for (const name of transitionArgs(prefix as string)) argsRead.add(name);
      }
      for (const key of keysRead) expect(script.keys, `KEY.${key}`).toContain(key);
      for (const arg of argsRead) expect(script.args, `ARG.${arg}`).toContain(arg);
      // ...and every declared ARG is read (none is sent for nothing).
      expect([...argsRead].sort()).toEqual([...script.args].sort());
    },
  );

  it('runScript sends KEYS, then ARGV, each in declaration order, whatever order the fields are given in', async () => {
    const script = defineScript('t', ['a', 'b'], ['x', 'y', 'z'], 'return 1');
    let sent: ScriptArg[] = [];
    await runScript(
      async (_, values) => {
        sent = values;
        return 1;
      },
      script,
      { b: 'kb', a: 'ka' },
      { z: 3, x: 1, y: 'two' },
    );
    expect(sent).toEqual(['ka', 'kb', 1, 'two', 3]);
    expect(script.lua).toContain('local KEY = { a = KEYS[1], b = KEYS[2] }');
    expect(script.lua).toContain('local ARG = { x = ARGV[1], y = ARGV[2], z = ARGV[3] }');
  });

  it('refuses names Lua cannot take as fields, and duplicates', () => {
    expect(() => defineScript('t', ['ok'], ['end'], '')).toThrow(/not a Lua field name/);
    expect(() => defineScript('t', ['a-b'], [], '')).toThrow(/not a Lua field name/);
    expect(() => defineScript('t', [], ['x', 'x'], '')).toThrow(/duplicate/);
  });

  it('every script has its own SHA', () => {
    expect(new Set(ALL.map((s) => s.sha)).size).toBe(ALL.length);
    expect(new Set(ALL.map((s) => s.name)).size).toBe(ALL.length);
  });
});
