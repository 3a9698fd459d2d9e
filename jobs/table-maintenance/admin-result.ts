import { LOCK_WAIT_MESSAGE } from '../../src/db/sql-errors.js';

/** ANALYZE/OPTIMIZE report failures in their result rows (Msg_type 'error'/'Error'), not as SQL errors. */
export interface AdminRow {
  Msg_type: string;
  Msg_text: string;
}

export type AdminVerdict =
  | { outcome: 'ok'; notes: string[]; warnings: string[] }
  | { outcome: 'contended'; message: string }
  | { outcome: 'error'; message: string };

/** InnoDB cannot defragment in place: a rebuild is what OPTIMIZE means for it. Success. */
const RECREATE_NOTE = /doing recreate \+ analyze instead/i;

export function judgeAdminRows(rows: readonly AdminRow[]): AdminVerdict {
  const errors = rows.filter((r) => /^error$/i.test(r.Msg_type)).map((r) => r.Msg_text);
  const contended = errors.find((m) => LOCK_WAIT_MESSAGE.test(m));
  if (contended) return { outcome: 'contended', message: contended };
  if (errors.length > 0) return { outcome: 'error', message: errors.join('; ') };
  const last = rows.at(-1);
  if (!last) return { outcome: 'error', message: 'the server returned no result row' };
  if (/^status$/i.test(last.Msg_type) && /operation failed/i.test(last.Msg_text))
    return { outcome: 'error', message: last.Msg_text };
  return {
    outcome: 'ok',
    notes: rows
      .filter(
        (r) => /^(note|info|status)$/i.test(r.Msg_type) && !RECREATE_NOTE.test(r.Msg_text) && !/^OK$/i.test(r.Msg_text),
      )
      .map((r) => r.Msg_text),
    warnings: rows.filter((r) => /^warning$/i.test(r.Msg_type)).map((r) => r.Msg_text),
  };
}
