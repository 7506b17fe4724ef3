// Prints one closing line for the whole suite — vitest projects plus the browser
// end-to-end run — so CI logs end with the real totals:
//   node tooling/summarize-tests.mjs <vitest.json> [e2e.log …]
import { existsSync, readFileSync } from 'node:fs';

const [vitestJson, ...e2eLogs] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;

if (vitestJson && existsSync(vitestJson)) {
  const report = JSON.parse(readFileSync(vitestJson, 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
for (const e2eLog of e2eLogs) {
  if (!existsSync(e2eLog)) continue;
  const line = readFileSync(e2eLog, 'utf8')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: strips terminal colour codes
    .replace(/\u001b\[[0-9;]*m/g, '')
    .match(/^(?:e2e(?:-v5)?|drop-in): (\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/m);
  if (line) {
    passed += Number(line[1]);
    failed += Number(line[2]);
    skipped += Number(line[3] ?? 0);
  }
}
console.log(`total: ${passed} passed, ${failed} failed, ${skipped} skipped`);
