// `npm run job -- …`: run a compiled entry point, compiling first only when the sources changed since dist/ was built.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureBuild } from './build.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node scripts/run-built.mjs <entry under dist/, e.g. src/cli.js> [args…]\n');
  process.exit(2);
}
const code = ensureBuild({ ifStale: true });
if (code !== 0) process.exit(code);
process.argv = [process.argv[0], join(ROOT, 'dist', entry), ...rest];
await import(pathToFileURL(join(ROOT, 'dist', entry)).href);
