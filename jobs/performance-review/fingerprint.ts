/** A statement's shape with its values taken out, so executions of one query group together
 * (the idea of pt-query-digest's fingerprint; identifiers keep their digits here, so tenant tables stay apart). */
export function fingerprint(sql: string): string {
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    const next = sql[i + 1];
    // Comments: /* … */ (optimizer hints too), -- … and # … to end of line.
    if (c === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      out += ' ';
      continue;
    }
    if ((c === '-' && next === '-' && /\s/.test(sql[i + 2] ?? ' ')) || c === '#') {
      const end = sql.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
      out += ' ';
      continue;
    }
    // Quoted strings: '…' and "…", with backslash and doubled-quote escapes.
    if (c === "'" || c === '"') {
      i += 1;
      while (i < n) {
        if (sql[i] === '\\') i += 2;
        else if (sql[i] === c && sql[i + 1] === c) i += 2;
        else if (sql[i] === c) break;
        else i += 1;
      }
      i += 1;
      out += '?';
      continue;
    }
    // Backquoted identifiers: keep the name, drop the quotes.
    if (c === '`') {
      const end = sql.indexOf('`', i + 1);
      out += (end < 0 ? sql.slice(i + 1) : sql.slice(i + 1, end)).toLowerCase();
      i = end < 0 ? n : end + 1;
      continue;
    }
    // Words: identifiers and keywords (may contain digits, $ and dots).
    if (/[A-Za-z_$]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$]/.test(sql[j]!)) j += 1;
      const word = sql.slice(i, j).toLowerCase();
      // x'0A' / b'01' / N'text' literals.
      if (
        (word === 'x' || word === 'b' || word === 'n' || word === '_utf8mb4' || word === '_binary') &&
        sql[j] === "'"
      ) {
        i = j;
        continue;
      }
      out += word;
      i = j;
      continue;
    }
    // Numbers (also 0x1F, 1.5e-3, .5), not part of a word; a sign right after an operator goes with it.
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(next ?? ''))) {
      const m = /^(0x[0-9a-f]+|0b[01]+|\d*\.?\d+(e[+-]?\d+)?)/i.exec(sql.slice(i));
      i += m ? m[0].length : 1;
      if (
        /[-+]\s*$/.test(out) &&
        /(^|[=<>(,]|\b(and|or|not|in|between|values|set|where|when|then|else|select|limit))\s*[-+]\s*$/.test(out)
      )
        out = out.replace(/[-+]\s*$/, '');
      out += '?';
      continue;
    }
    out += /\s/.test(c) ? ' ' : c;
    i += 1;
  }
  return out
    .replace(/\s*([=<>!]+|[+*/-])\s*/g, ' $1 ')
    .replace(/\s+/g, ' ')
    .replace(/\(\s+/g, '(')
    .replace(/\s+\)/g, ')')
    .replace(/\s*,\s*/g, ',')
    .replace(/\bnull\b/g, '?')
    .replace(/\bin\s*\(\?(,\?)*\)/g, 'in(?+)')
    .replace(/\bvalues\s*\(\?(,\?)*\)(,\(\?(,\?)*\))*/g, 'values(?+)')
    .replace(/\blimit \?,\?/g, 'limit ?')
    .replace(/\blimit \? offset \?/g, 'limit ?')
    .replace(/;+\s*$/, '')
    .trim();
}
