/**
 * Runs the sim-venue server as a process (tests start it as a child): the same flags as
 * `quantmesh sim-venue`, e.g. `tsx src/cli/sim-venue-main.ts --port 0 --admin`. It lives with the CLI,
 * which composes the server, so that the adapter folder never imports the CLI.
 */
import { buildSimVenueCommand } from './commands/sim-venue-command.js';

await buildSimVenueCommand().parseAsync(process.argv);
