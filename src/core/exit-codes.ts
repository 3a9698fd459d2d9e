/** The process exit codes of the CLI, the worker and the demo (sysexits.h: 75 EX_TEMPFAIL, 78 EX_CONFIG). */
export const EXIT = { ok: 0, failed: 1, usage: 2, locked: 75, config: 78 } as const;
