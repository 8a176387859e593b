/** Every command of README's command table runs as written: `quantmesh <command> --help` exits 0 with that command's usage. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { projectRoot, startTsProcess } from '../harness/child-process.js';

/** The words of each table row's command before its first argument or option: `quantmesh config check FILE` → `config check`. */
async function readmeCommands(): Promise<string[]> {
  const readme = await readFile(join(projectRoot, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('## Commands'),
    readme.indexOf('\n## ', readme.indexOf('## Commands') + 1),
  );
  return [...section.matchAll(/^\| `quantmesh([^`]*)`/gm)].map((match) =>
    match[1]!
      .trim()
      .split(/\s+/)
      .filter((word) => /^[a-z][a-z-]*$/.test(word))
      .join(' '),
  );
}

it("runs every command of README's command table with --help", async () => {
  const commands = await readmeCommands();
  expect(commands).toEqual(
    expect.arrayContaining([
      '',
      'run',
      'status',
      'config check',
      'config push',
      'backtest',
      'sim-venue',
      'db migrate',
      'db copy',
    ]),
  );
  // One process for all of them: each tsx start is slow on a busy machine.
  const child = startTsProcess('test/cli/help-of-commands.script.ts', [JSON.stringify([...new Set(commands)])]);
  expect(await child.exited, child.output()).toBe(0);
  const answers = child.output().split(/\n<<exit (\d+): ([^>]*)>>\n/);
  for (const command of new Set(commands)) {
    const at = answers.indexOf(command);
    expect(at, `no answer for quantmesh ${command} --help`).toBeGreaterThan(0);
    expect(answers[at - 1], `quantmesh ${command} --help`).toBe('0');
    expect(answers[at - 2], command).toContain(`Usage: quantmesh${command === '' ? '' : ` ${command}`} [options]`);
  }
}, 120_000);
