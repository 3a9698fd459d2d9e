/** Value, duration and time formatting shared by the HTML and text renderers (numbers: src/core/number-format.ts). */
import { formatNumber, formatSeconds } from '../core/number-format.js';
import { wallClock } from '../time/wall-clock.js';

export function formatValue(value: number | string | null, unit?: string): string {
  if (value === null) return 'n/a';
  const text = typeof value === 'number' ? formatNumber(value) : value;
  return unit ? `${text} ${unit}` : text;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return formatSeconds(ms, 1);
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 60) return `${m} min ${rest} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** "2026-11-30 03:15 Europe/Berlin": the wall clock where the team works. */
export function formatTime(at: Date, timezone: string): string {
  const w = wallClock(at, timezone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)} ${timezone}`;
}

export function signed(n: number): string {
  return `${n > 0 ? '+' : n < 0 ? '−' : '±'}${formatNumber(Math.abs(n))}`;
}
