/** Runs `quantmesh <command> --help` for each command given (one JSON array argument) in this one process, printing each exit code after its output. */
import { main } from '../../src/cli/main.js';

const commands = JSON.parse(process.argv[2] ?? '[]') as string[];
for (const command of commands) {
  const code = await main([...command.split(' ').filter((word) => word !== ''), '--help']);
  process.stdout.write(`\n<<exit ${code}: ${command}>>\n`);
}
