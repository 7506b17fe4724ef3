// Type-level tests: the fixtures in type-tests/ are compiled with the
// TypeScript compiler against next-auth v4 and, with `next-auth` mapped to the
// v5 copy, against v5. A type error in either fails the test.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const pkg = fileURLToPath(new URL('..', import.meta.url));

// Parsed declaration files are the same for every compile (lib.dom, next,
// next-auth…): parse each once, as editors' language services do.
const parsed = new Map<string, ts.SourceFile>();

function compile(
  files: string[],
  nextAuth: 'next-auth' | 'next-auth-v5',
  entry = 'src/index.ts',
): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    strict: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    skipLibCheck: true,
    noEmit: true,
    jsx: ts.JsxEmit.ReactJSX,
    types: ['node'],
    baseUrl: pkg,
    paths: {
      '@sessionkit/next-auth': [entry],
      '@sessionkit/core': ['../core/src/index.ts'],
      'next-auth': [`node_modules/${nextAuth}/index.d.ts`],
      'next-auth/*': [`node_modules/${nextAuth}/*`],
    },
  };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError) => {
    let file = parsed.get(fileName);
    if (!file) {
      file = read(fileName, languageVersion, onError);
      if (file) parsed.set(fileName, file);
    }
    return file;
  };
  const program = ts.createProgram(
    files.map((f) => `${pkg}src/type-tests/${f}`),
    options,
    host,
  );
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file
      ? `${d.file.fileName.replace(pkg, '')}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}`
      : '';
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

describe('type augmentation of next-auth', { timeout: 60_000 }, () => {
  it('types session.sessionId, session.expiresAt and session.user.id with next-auth v4', () => {
    expect(compile(['session.fixture.ts', 'v4.fixture.ts'], 'next-auth')).toEqual([]);
  });

  it('types session.sessionId, session.expiresAt and session.user.id with next-auth v5', () => {
    expect(compile(['session.fixture.ts', 'v5.fixture.ts'], 'next-auth-v5')).toEqual([]);
  });

  it("leaves an app's own augmentation of Session['user'] alone (v4 and v5)", () => {
    expect(compile(['app-augmented.fixture.ts'], 'next-auth')).toEqual([]);
    expect(compile(['app-augmented.fixture.ts'], 'next-auth-v5')).toEqual([]);
  });

  // What users get: the bundled declarations (built by `pnpm build`, which the
  // root `pnpm test` runs first).
  const built = existsSync(`${pkg}dist/index.d.ts`);
  it.skipIf(!built)('holds for the published dist/index.d.ts too (v4 and v5)', () => {
    const files = ['session.fixture.ts', 'v4.fixture.ts'];
    expect(compile(files, 'next-auth', 'dist/index.d.ts')).toEqual([]);
    expect(
      compile(['session.fixture.ts', 'v5.fixture.ts'], 'next-auth-v5', 'dist/index.d.ts'),
    ).toEqual([]);
  });
});
