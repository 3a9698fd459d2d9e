#!/usr/bin/env node
import { cliMain } from './cli/cli-main.js';
import { errorMessage } from './log/error-fields.js';

cliMain(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  isTty: Boolean(process.stdout.isTTY && process.stderr.isTTY),
}).then(
  (code) => {
    process.exitCode = code;
    // A socket left on a stalled link would keep the process alive: the result is out, so leave shortly.
    setTimeout(() => process.exit(code), 1_000).unref();
  },
  (err: unknown) => {
    process.stderr.write(`dbkeeper: unexpected error: ${errorMessage(err)}\n`);
    process.exitCode = 1;
    // Likewise on an error (a connect that timed out on a stalled link leaves the pool's sockets open).
    setTimeout(() => process.exit(1), 1_000).unref();
  },
);
