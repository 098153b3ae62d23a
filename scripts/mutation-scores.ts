// Mutation score per module from Stryker's report (the incremental file has the same schema as the JSON report,
// https://github.com/stryker-mutator/mutation-testing-elements/tree/master/packages/report-schema).
// `npm run test:mutation` runs it after Stryker: a markdown table for BENCHMARKS.md, and a non-zero exit when a
// module falls under --min-per-file, so one weak module cannot hide behind strong ones in the overall score.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const reportSchema = z.object({
  files: z.record(
    z.string(),
    z.object({ mutants: z.array(z.object({ status: z.string(), mutatorName: z.string() })) }),
  ),
});

const { values } = parseArgs({
  options: {
    report: { type: 'string', default: 'reports/stryker-incremental.json' },
    'min-per-file': { type: 'string', default: '0' },
  },
});
const min = Number(values['min-per-file']);
const parsed = reportSchema.safeParse(JSON.parse(fs.readFileSync(values.report, 'utf8')));
if (!parsed.success) {
  console.error(`mutation-scores: ${values.report} is not a mutation report: ${parsed.error.message}`);
  process.exit(1);
}

interface Row {
  file: string;
  killed: number;
  survived: number;
  noCoverage: number;
  ignored: number;
  score: number;
}

const rows: Row[] = [];
for (const [file, { mutants }] of Object.entries(parsed.data.files).sort(([a], [b]) => a.localeCompare(b))) {
  const count = (...statuses: string[]) => mutants.filter((m) => statuses.includes(m.status)).length;
  // Detected = killed or timed out; undetected = survived or never run by any test (as Stryker counts them).
  const killed = count('Killed', 'Timeout');
  const survived = count('Survived');
  const noCoverage = count('NoCoverage');
  const valid = killed + survived + noCoverage;
  rows.push({
    file,
    killed,
    survived,
    noCoverage,
    ignored: count('Ignored'),
    score: valid === 0 ? 100 : (100 * killed) / valid,
  });
}

const total = rows.reduce(
  (t, r) => ({ killed: t.killed + r.killed, undetected: t.undetected + r.survived + r.noCoverage }),
  { killed: 0, undetected: 0 },
);
console.log('| module | killed | survived | no coverage | ignored (with reason) | score |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(
    `| ${r.file} | ${String(r.killed)} | ${String(r.survived)} | ${String(r.noCoverage)} | ${String(r.ignored)} | ${r.score.toFixed(1)} % |`,
  );
}
const overall = (100 * total.killed) / Math.max(1, total.killed + total.undetected);
console.log(
  `| **all** | ${String(total.killed)} | ${String(total.undetected)} (with no coverage) | | | ${overall.toFixed(1)} % |`,
);

const weak = rows.filter((r) => r.score < min);
if (weak.length > 0) {
  console.error(
    `mutation-scores: under ${String(min)} %: ${weak.map((r) => `${r.file} ${r.score.toFixed(1)} %`).join(', ')}`,
  );
  process.exit(1);
}
