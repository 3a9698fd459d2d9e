import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** One execution from a slow-log file (MariaDB or MySQL format). */
export interface SlowLogEntry {
  sql: string;
  seconds: number;
  schema: string | null;
  rowsExamined: number | null;
  /** From `SET timestamp=…;` (epoch seconds); null when the entry has none. */
  epochSeconds: number | null;
}

/** Line-by-line parser of the slow-log file, fed with push(); the file can be large, so nothing is kept
 * but the entry being read. */
export class SlowLogParser {
  private seconds: number | null = null;
  private schema: string | null = null;
  private rowsExamined: number | null = null;
  private epoch: number | null = null;
  private sql: string[] = [];
  private inHeader = false;

  constructor(private readonly emit: (e: SlowLogEntry) => void) {}

  push(line: string): void {
    if (line.startsWith('# ')) {
      if (!this.inHeader) this.flush();
      this.inHeader = true;
      const qt = /Query_time:\s*([\d.]+)/.exec(line);
      if (qt) this.seconds = Number(qt[1]);
      const re = /Rows_examined:\s*(\d+)/.exec(line);
      if (re) this.rowsExamined = Number(re[1]);
      const sc = /Schema: ([^\s:]+)(?=\s|$)/.exec(line);
      if (sc) this.schema = sc[1] || this.schema;
      return;
    }
    // Server start banners between entries.
    if (
      /^\S+, Version: .* started with:$/.test(line) ||
      /^Tcp port: /.test(line) ||
      /^Time\s+Id\s+Command\s+Argument/.test(line)
    ) {
      this.flush();
      return;
    }
    if (this.seconds === null) return;
    this.inHeader = false;
    const ts = /^SET timestamp=(\d+);$/.exec(line);
    if (ts && this.sql.length === 0) {
      this.epoch = Number(ts[1]);
      return;
    }
    const use = /^use (\S+);$/i.exec(line);
    if (use && this.sql.length === 0) {
      this.schema = use[1]!.replace(/`/g, '');
      return;
    }
    this.sql.push(line);
  }

  end(): void {
    this.flush();
  }

  private flush(): void {
    const sql = this.sql.join('\n').trim();
    if (this.seconds !== null && sql !== '' && !/^#? ?administrator command:/i.test(sql)) {
      this.emit({
        sql,
        seconds: this.seconds,
        schema: this.schema,
        rowsExamined: this.rowsExamined,
        epochSeconds: this.epoch,
      });
    }
    this.seconds = null;
    this.schema = null;
    this.rowsExamined = null;
    this.epoch = null;
    this.sql = [];
    this.inHeader = false;
  }
}

/** Stream a slow-log file through the parser; stops early when the signal fires. */
export async function readSlowLogFile(
  path: string,
  onEntry: (e: SlowLogEntry) => void,
  signal: AbortSignal,
): Promise<void> {
  const parser = new SlowLogParser(onEntry);
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (signal.aborted) break;
    parser.push(line);
  }
  lines.close();
  parser.end();
}
