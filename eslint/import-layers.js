// Imports flow one way: jobs → engine (runner, report, scheduler, cli) → job contract → db/config → core/log.
// Each layer lists the folders it may import; a relative import resolving anywhere else in src/ or jobs/ is an error.
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const BASE = ['src/core', 'src/log', 'src/time', 'src/testing', 'src/shutdown'];
const LOWER = [...BASE, 'src/config', 'src/db'];
// Replicas sit beside db: connections and lag reads of the other servers, importing only db/config/core/log.
const REPLICA = [...LOWER, 'src/replica'];
const CONTRACT = [...REPLICA, 'src/job'];
const ENGINE = [...CONTRACT, 'src/app', 'src/runner', 'src/report'];
const REGISTRY = 'jobs/index.ts';

/** Where a file sits (the first layer with a matching prefix) and what it may import. Only the entry points (CLI,
 * demo, the worker's main) may import the registry: anything below them importing it would import every job. */
export const LAYERS = [
  { layer: 'core', files: BASE, allow: BASE },
  { layer: 'config', files: ['src/config'], allow: [...BASE, 'src/config'] },
  { layer: 'db', files: ['src/db'], allow: LOWER },
  { layer: 'replica', files: ['src/replica'], allow: REPLICA },
  { layer: 'job contract', files: ['src/job'], allow: CONTRACT },
  { layer: 'app', files: ['src/app'], allow: [...CONTRACT, 'src/app'] },
  { layer: 'runner', files: ['src/runner'], allow: [...CONTRACT, 'src/app', 'src/runner'] },
  { layer: 'report', files: ['src/report'], allow: ENGINE },
  {
    layer: 'worker',
    files: ['src/scheduler/run-worker.ts', 'src/worker.ts'],
    allow: [...ENGINE, 'src/scheduler', 'src/metrics', REGISTRY],
  },
  { layer: 'scheduler', files: ['src/scheduler'], allow: [...ENGINE, 'src/scheduler'] },
  // Metrics read the run record and the schedule; only the worker's main and the CLI load them.
  { layer: 'metrics', files: ['src/metrics'], allow: [...ENGINE, 'src/scheduler', 'src/metrics'] },
  { layer: 'cli', files: ['src/cli', 'src/cli.ts', 'src/demo'], allow: ['src', 'jobs', REGISTRY] },
  { layer: 'registry', files: [REGISTRY], allow: [...ENGINE, 'jobs'] },
  { layer: 'jobs', files: ['jobs'], allow: [...ENGINE, 'jobs'] },
];

const within = (path, prefix) => path === prefix || path.startsWith(`${prefix}/`);

/** The layer `from` sits in when it may not import `target` (both repo-relative), else null. */
export function forbiddenImport(from, target) {
  const layer = LAYERS.find((l) => l.files.some((p) => within(from, p)));
  if (!layer || !(within(target, 'src') || within(target, 'jobs'))) return null;
  const allowed = target === REGISTRY ? layer.allow.includes(REGISTRY) : layer.allow.some((p) => within(target, p));
  return allowed ? null : layer.layer;
}

export default {
  meta: {
    type: 'problem',
    schema: [],
    messages: {
      backwards: '{{from}} ({{layer}}) may not import {{target}}: imports flow one way (docs/architecture.md)',
    },
  },
  create(context) {
    const from = relative(root, context.filename);
    function check(node) {
      const spec = node.source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = relative(root, resolve(dirname(context.filename), spec)).replace(/\.js$/, '.ts');
      const layer = forbiddenImport(from, target);
      if (layer) context.report({ node: node.source, messageId: 'backwards', data: { from, layer, target } });
    }
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};
