/**
 * `npm run bench:cli` (builds first): wall time from spawning `node bin/quantmesh.js …` to its exit
 * for `--help`, `--version` and `config check`, beside `node -e 0` (Node's own start) measured in
 * the same rounds. Commands and baseline alternate, so load from other processes falls on both;
 * the best and the median wall time of the rounds are printed (the best is the closest to a quiet
 * machine), and the best CPU time (user + system), which others' load does not inflate.
 * Goal: each command ≤ 0.3 s.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { EMBEDDED_DEFAULT_YAML } from '../src/config/embedded-default.js';

const ROUNDS = Number(process.env.QM_BENCH_ROUNDS ?? '15');
const GOAL_S = 0.3;
const dir = mkdtempSync(join(tmpdir(), 'qm-bench-cli-'));
const config = join(dir, 'quantmesh.yaml');
writeFileSync(config, EMBEDDED_DEFAULT_YAML);

const cases: readonly (readonly [string, readonly string[]])[] = [
  ['node -e 0 (baseline)', ['-e', '0']],
  ['quantmesh --help', ['bin/quantmesh.js', '--help']],
  ['quantmesh --version', ['bin/quantmesh.js', '--version']],
  ['quantmesh config check FILE', ['bin/quantmesh.js', 'config', 'check', config]],
];

interface Sample {
  readonly wall: number;
  readonly cpu: number;
}

/** Wall time, and CPU time (user + system) of the child as bash's `time` reports it: CPU is what load from others does not inflate. */
function sample(args: readonly string[]): Sample {
  const start = performance.now();
  const run = spawnSync(
    'bash',
    ['-c', 'TIMEFORMAT="%3U %3S"; time "$@" > /dev/null', 'bench', process.execPath, ...args],
    { encoding: 'utf8' },
  );
  const wall = (performance.now() - start) / 1000;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  const [user, system] = run.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return { wall, cpu: user! + system! };
}

const samples = cases.map(() => [] as Sample[]);
try {
  for (let round = 0; round < ROUNDS; round += 1)
    cases.forEach(([, args], index) => samples[index]!.push(sample(args)));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const best = (values: readonly number[]) => Math.min(...values);
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const wall = samples.map((runs) => runs.map((run) => run.wall));
const cpu = samples.map((runs) => runs.map((run) => run.cpu));
console.log(`CLI start: ${ROUNDS} rounds, node ${process.version}`);
cases.forEach(([name], index) => {
  const figures = `wall best ${best(wall[index]!).toFixed(3)} s median ${median(wall[index]!).toFixed(3)} s  cpu best ${best(cpu[index]!).toFixed(3)} s`;
  const ratio =
    index === 0
      ? ''
      : `  ratio to node -e 0: wall best ${(best(wall[index]!) / best(wall[0]!)).toFixed(2)}, cpu best ${(best(cpu[index]!) / best(cpu[0]!)).toFixed(2)}  goal wall ≤ ${GOAL_S} s: ${best(wall[index]!) <= GOAL_S ? 'met' : 'NOT met'}`;
  console.log(`${name.padEnd(30)} ${figures}${ratio}`);
});
