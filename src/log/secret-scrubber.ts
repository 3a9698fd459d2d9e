/** Replaces every known secret value in a text. Short values (< 4 chars) are not treated as secrets:
 * replacing "a" everywhere would destroy the text and hide nothing. */
export function makeScrubber(secrets: readonly (string | null | undefined)[]): (text: string) => string {
  const values = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4))];
  const variants = values.flatMap((s) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]);
  const unique = [...new Set(variants)].sort((a, b) => b.length - a.length);
  if (unique.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const secret of unique) out = out.split(secret).join('[REDACTED]');
    return out;
  };
}
