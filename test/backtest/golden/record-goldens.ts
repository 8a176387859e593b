/** Rewrites the golden fixtures from the current engine (see golden-cases.ts for when that is right). */
import { writeFileSync } from 'node:fs';
import { GOLDEN_CASES, goldenFile, runGolden } from './golden-cases.js';

for (const golden of GOLDEN_CASES) {
  const result = runGolden(golden);
  writeFileSync(goldenFile(golden), `${JSON.stringify(result, null, 1)}\n`);
  console.log(
    `${golden.name}: ${result.fills.length} fills, ${result.trades.length} trades, equity ${result.report.equity}`,
  );
}
