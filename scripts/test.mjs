// `npm test`: build, typecheck, lint (eslint and the layering rules), then the unit, integration (real VS Code) and UI suites.
// Every suite runs even if an earlier one failed, so one run shows everything; the output ends
// with one summary line over all suites: "N passed, N failed".
import { spawn } from 'node:child_process';

const stages = [
  { name: 'build', cmd: 'npm run --silent build', gate: true },
  { name: 'typecheck', cmd: 'npm run --silent typecheck', gate: true },
  // eslint, then the layering rules (.dependency-cruiser.cjs)
  { name: 'lint', cmd: 'npm run --silent lint && npm run --silent lint:layers', gate: true },
  { name: 'unit', cmd: 'npm run --silent test:unit' },
  { name: 'integration', cmd: 'npm run --silent test:integration' },
  { name: 'ui', cmd: 'npm run --silent test:ui' },
];

function run(cmd) {
  return new Promise((resolve) => {
    const child = spawn(cmd, { shell: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => process.stderr.write(d));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

/** Counts from node's TAP (# pass N), node's spec reporter (ℹ pass N) or mocha (N passing). */
function counts(out) {
  const last = (re) => {
    const all = [...out.matchAll(re)];
    return all.length ? Number(all[all.length - 1][1]) : undefined;
  };
  const passed = last(/^# pass (\d+)/gm) ?? last(/^ℹ pass (\d+)/gm) ?? last(/^\s*(\d+) passing/gm);
  const failed = last(/^# fail (\d+)/gm) ?? last(/^ℹ fail (\d+)/gm) ?? last(/^\s*(\d+) failing/gm) ?? 0;
  return { passed, failed };
}

let passed = 0;
let failed = 0;
const report = [];
for (const stage of stages) {
  process.stdout.write(`\n=== ${stage.name} ===\n`);
  const { code, out } = await run(stage.cmd);
  if (stage.gate) {
    if (code !== 0) {
      console.log(`\n${stage.name} failed (exit ${code})`);
      console.log('0 passed, 1 failed');
      process.exit(1);
    }
    continue;
  }
  const c = counts(out);
  // A suite that crashed before reporting counts as one failure.
  const f = c.failed + (code !== 0 && c.failed === 0 ? 1 : 0);
  passed += c.passed ?? 0;
  failed += f;
  report.push(`${stage.name}: ${c.passed ?? 0} passed, ${f} failed${code !== 0 ? ` (exit ${code})` : ''}`);
}
console.log(`\n${report.join('\n')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
