/** The one number formatter: counts, sizes and seconds as the CLI, the report and every job's text show them. */

/** "12,345" for an integer; at most two decimals otherwise ("0.25"). en-US grouping whatever the host's locale. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** "1.5 GiB", "12.0 MiB", "64 KiB", "512 B"; "unknown" when the size is not known. */
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined) return 'unknown';
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} KiB`;
  return `${n} B`;
}

/** A duration in milliseconds as seconds with `digits` decimals: "1.5 s", "0.250 s". */
export function formatSeconds(ms: number, digits: number): string {
  return `${(ms / 1000).toFixed(digits)} s`;
}
