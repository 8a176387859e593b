/**
 * lock-worker.ts as plain JavaScript, so that twenty contender processes start on plain `node`:
 * through tsx each would pay ~0.5 s of CPU for the loader and esbuild, which on a shared 2-core
 * machine turns the start of twenty into a minute. The worker and the lock sources are transpiled
 * once per test file (type-only syntax removed, nothing bundled) into a temp dir under the project's
 * git-ignored `.tmp/`, so that packages still resolve from the project's node_modules.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { type OwnedProcess, projectRoot, startProcess } from '../../harness/child-process.js';

const sources = [
  'src/coordination/lock',
  'src/coordination/etcd',
  'src/errors',
  'test/coordination/lock/lock-worker.ts',
];

async function filesUnder(path: string): Promise<string[]> {
  if (path.endsWith('.ts')) return [path];
  const entries = await readdir(path, { withFileTypes: true });
  const nested = await Promise.all(entries.map((entry) => filesUnder(join(path, entry.name))));
  return nested.flat().filter((file) => file.endsWith('.ts'));
}

export interface CompiledLockWorker {
  start(args: readonly string[], env: NodeJS.ProcessEnv): OwnedProcess;
  remove(): Promise<void>;
}

export async function compileLockWorker(): Promise<CompiledLockWorker> {
  await mkdir(join(projectRoot, '.tmp'), { recursive: true });
  const outDir = await mkdtemp(join(projectRoot, '.tmp', 'qm-lock-worker-'));
  const files = (await Promise.all(sources.map((source) => filesUnder(join(projectRoot, source))))).flat();
  await Promise.all(
    files.map(async (file) => {
      const { outputText } = ts.transpileModule(await readFile(file, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      });
      const target = join(outDir, relative(projectRoot, file)).replace(/\.ts$/, '.js');
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, outputText);
    }),
  );
  const worker = join(outDir, 'test/coordination/lock/lock-worker.js');
  return {
    start: (args, env) => startProcess(process.execPath, [worker, ...args], { env }),
    remove: () => rm(outDir, { recursive: true, force: true }),
  };
}
