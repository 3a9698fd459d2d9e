export interface ChunkBounds {
  minRows: number;
  maxRows: number;
  targetMs: number;
}

export const GROWTH_CAP = 1.5;

/** With replicas: a chunk the replica took `applyMs` to apply should take at most half the lag limit there. PURE. */
export function replicaBoundChunkSize(
  size: number,
  lastRows: number,
  applyMs: number,
  maxLagMs: number,
  bounds: Pick<ChunkBounds, 'minRows' | 'maxRows'>,
): number {
  if (lastRows <= 0 || applyMs <= maxLagMs / 2) return size;
  const ideal = (lastRows * (maxLagMs / 2)) / applyMs;
  return Math.max(bounds.minRows, Math.min(size, Math.round(ideal)));
}

/** Next chunk size from the last one: aim at targetMs, grow at most 1.5× when fast, shrink at once when slow. */
export function nextChunkSize(lastRows: number, lastMs: number, bounds: ChunkBounds): number {
  const clamp = (n: number) => Math.max(bounds.minRows, Math.min(bounds.maxRows, Math.round(n)));
  if (lastRows <= 0) return clamp(lastRows);
  const perRowMs = Math.max(lastMs, 0.001) / lastRows;
  const ideal = bounds.targetMs / perRowMs;
  // Growing is capped so one lucky chunk cannot make the next one huge; shrinking follows the measurement.
  return clamp(Math.min(ideal, lastRows * GROWTH_CAP));
}
