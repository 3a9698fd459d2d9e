/** Server error texts quote the values that failed: "Duplicate entry 'ann@example.com' for key 'uq_email'".
 * Those values are customer data. This masks every quoted literal in a message ('…' → '?', "…" → "?") and
 * keeps names in backticks readable. It errs on the side of masking: a quote opens a literal unless it
 * follows a letter or digit (so "can't" stays), and a literal ends only at a quote that is not followed by a
 * letter or digit ("entry 'O'Brien'" is one literal); doubled quotes and backslash escapes stay inside it. */
export function maskLiterals(text: string): string {
  let out = '';
  let i = 0;
  const n = text.length;
  const word = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}_]/u.test(c);
  while (i < n) {
    const c = text[i]!;
    if (c === '`') {
      const end = text.indexOf('`', i + 1);
      const stop = end < 0 ? n : end + 1;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    if ((c === "'" || c === '"') && !word(text[i - 1])) {
      let j = i + 1;
      while (j < n) {
        if (text[j] === '\\') j += 2;
        else if (text[j] === c && text[j + 1] === c) j += 2;
        else if (text[j] === c && !word(text[j + 1])) break;
        else j += 1;
      }
      out += `${c}?${c}`;
      i = j + 1;
      continue;
    }
    out += c;
    i += 1;
  }
  return out;
}
