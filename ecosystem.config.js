// pm2 process file: `pm2 start ecosystem.config.js` (after `npm run build`).
// package.json says "type": "module", so this file is ESM. pm2 7 loads it with require(), which on Node >= 20.19
// returns the module's exports: `apps` must be a NAMED export (`export default` and `module.exports` both fail).

/** Keep above shutdown.drainSeconds (config, default 20 s) + time to mark runs and send alerts. */
const KILL_TIMEOUT_MS = 30_000;

export const apps = [
  {
    name: 'dbkeeper',
    // Compiled JS run by node: pm2 7 would run a .ts entry with bun.
    script: 'dist/src/worker.js',
    interpreter: 'node',
    // A 1 MB young generation: idle RSS ~80 MB instead of ~88 MB (npm run bench:worker-rss); jobs are IO-bound.
    node_args: ['--max-semi-space-size=1'],
    cwd: import.meta.dirname,
    exec_mode: 'fork',
    instances: 1,
    // The worker calls process.send('ready') once its jobs are scheduled.
    wait_ready: true,
    listen_timeout: 60_000,
    // pm2 sends SIGINT, then SIGKILL after this long: the worker drains running jobs in between.
    kill_timeout: KILL_TIMEOUT_MS,
    autorestart: true,
    exp_backoff_restart_delay: 1_000,
    // 78 = invalid configuration (or wrong DB credentials): restarting cannot help, so pm2 does not.
    stop_exit_codes: [78],
    // No log_date_format and no `time`: each line stays one NDJSON object.
    merge_logs: true,
  },
];
