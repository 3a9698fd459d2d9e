import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** One fault case as docs/reliability.md counts it. Every count is a measured fact of that case, 0 is the target. */
export interface FaultCase {
  fault: string;
  point: string;
  job: string;
  /** Rows outside the job's predicate that changed or went missing (by checksum), or rows lost by an archive. */
  dataLost: number;
  /** A process or lock that did not end within its bound. */
  hangs: number;
  /** Slots with two runs, or a report sent twice. */
  duplicateRuns: number;
  /** A report or alert neither delivered nor waiting in the outbox with a log line. */
  lostReports: number;
}

export const RESULTS_DIR = resolve(import.meta.dirname, '../results');

/** Collects a test file's cases; write() puts them in test/faults/results/<file>.json (git-ignored) for
 * scripts/fault-matrix.mjs. Called from afterAll, so a failed case is recorded with its counts too. */
export class FaultRecorder {
  private readonly cases: FaultCase[] = [];
  constructor(private readonly file: string) {}

  record(c: FaultCase): FaultCase {
    this.cases.push(c);
    return c;
  }

  write(): void {
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(
      join(RESULTS_DIR, `${this.file}.json`),
      `${JSON.stringify({ file: this.file, at: new Date().toISOString(), cases: this.cases }, null, 2)}\n`,
    );
  }
}
