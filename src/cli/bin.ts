/** Runs the CLI from source (`node --import tsx src/cli/bin.ts …`); bin/quantmesh.js does the same from dist/. */
import { main } from './main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
