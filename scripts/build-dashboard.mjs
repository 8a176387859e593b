// Builds the dashboard into dist/dashboard/: dashboard/src bundled by esbuild (lightweight-charts
// included, so nothing is fetched from a CDN at run time), beside index.html and styles.css.
import { copyFile, mkdir } from 'node:fs/promises';
import { build } from 'esbuild';

const out = new URL('../dist/dashboard/', import.meta.url);
await mkdir(out, { recursive: true });
await build({
  entryPoints: [new URL('../dashboard/src/main.ts', import.meta.url).pathname],
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  outfile: new URL('app.js', out).pathname,
  logLevel: 'warning',
});
for (const file of ['index.html', 'styles.css'])
  await copyFile(new URL(`../dashboard/${file}`, import.meta.url), new URL(file, out));
