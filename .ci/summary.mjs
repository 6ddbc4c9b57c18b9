// Prints the closing line CI reads: "N passed, N failed[, N skipped]", from vitest's JSON report.
// A run that stopped before vitest (type or lint errors) counts as one failure, so it is never "0 passed, 0 failed".
import { existsSync, readFileSync } from 'node:fs';

const [file, status] = process.argv.slice(2);
if (!existsSync(file)) {
  console.log(`0 passed, ${status === '0' ? 0 : 1} failed`);
} else {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A test file that failed to load counts as failed even when it reported no test.
  const failedSuites = (r.testResults ?? []).filter(
    (s) => s.status === 'failed' && s.assertionResults?.length === 0,
  ).length;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests + failedSuites} failed, ${skipped} skipped`);
}
