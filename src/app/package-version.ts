import { readFileSync } from 'node:fs';

/** The version in package.json (src/app/ and dist/app/ are both two levels below the package root). */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}
