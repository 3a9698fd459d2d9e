// The build's fingerprint: a hash of every compiled source and of what shapes the output.
// `dist/.build-stamp` holds the fingerprint of the sources dist/ was built from; equal means dist/ is current.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SOURCE_DIRS = ['src', 'jobs', 'bench'];
const SHAPING_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function sourceFiles(root, dir) {
  const out = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) out.push(path);
    }
  };
  if (existsSync(join(root, dir))) walk(join(root, dir));
  return out;
}

export function sourceFingerprint(root) {
  const files = [...SOURCE_DIRS.flatMap((d) => sourceFiles(root, d)), ...SHAPING_FILES.map((f) => join(root, f))]
    .filter((f) => existsSync(f))
    .map((f) => relative(root, f))
    .sort();
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(root, file)))
      .update('\0');
  return hash.digest('hex');
}

export const stampPath = (root) => join(root, 'dist', '.build-stamp');

export function builtFingerprint(root) {
  const path = stampPath(root);
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : null;
}
