/**
 * Runs the sim-venue server as a process (tests start it as a child): the same flags as
 * `quantmesh sim-venue`, e.g. `tsx src/exchange/sim-venue/sim-venue-main.ts --port 0 --admin`.
 */
import { buildSimVenueCommand } from '../../cli/commands/sim-venue-command.js';

await buildSimVenueCommand().parseAsync(process.argv);
