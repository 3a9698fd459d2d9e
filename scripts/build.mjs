// Compile to dist/ and stamp it with the sources' fingerprint, or (`--if-stale`) only when the stamp differs.
// `--prepare` (npm's prepare hook, also run by `npm ci --omit=dev`): without TypeScript installed, say how a
// production host gets dist/ and succeed, so the install itself does not fail.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtFingerprint, sourceFingerprint, stampPath } from './build-stamp.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** Build when dist/ is not from the current sources. Returns an exit code. */
export function ensureBuild({ ifStale = true, prepare = false, quiet = false } = {}) {
  const fingerprint = sourceFingerprint(ROOT);
  if (ifStale && builtFingerprint(ROOT) === fingerprint) return 0;
  if (!existsSync(TSC)) {
    const hint =
      'TypeScript is not installed (npm ci --omit=dev?): build where dev dependencies are installed ' +
      '(npm ci && npm run build), then `npm prune --omit=dev`; or install a packed tarball (npm pack).';
    if (prepare) {
      if (!quiet) process.stderr.write(`dbkeeper: dist/ not built here. ${hint}\n`);
      return 0;
    }
    process.stderr.write(`dbkeeper: dist/ is missing or older than the sources. ${hint}\n`);
    return 1;
  }
  const result = spawnSync(process.execPath, [TSC, '-p', join(ROOT, 'tsconfig.build.json')], {
    stdio: 'inherit',
    cwd: ROOT,
  });
  if (result.status !== 0) return result.status ?? 1;
  mkdirSync(dirname(stampPath(ROOT)), { recursive: true });
  writeFileSync(stampPath(ROOT), `${fingerprint}\n`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  process.exitCode = ensureBuild({ ifStale: args.includes('--if-stale'), prepare: args.includes('--prepare') });
}
