/** Runs the `db` command as the CLI would (the lead wires it into bin/quantmesh at merge). */
import { createDbCommand } from '../../src/cli/commands/db-command.js';

await createDbCommand().parseAsync(process.argv.slice(2), { from: 'user' });
