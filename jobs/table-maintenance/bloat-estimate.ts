import type { Baseline } from './baselines.js';

export interface MaintenanceTableSize {
  rows: number;
  dataLength: number;
  indexLength: number;
  dataFree: number;
}

/** data + index + free: what the table holds on disk. */
export function allocatedBytes(size: MaintenanceTableSize): number {
  return size.dataLength + size.indexLength + size.dataFree;
}

export interface BloatEstimate {
  /** data + index + free: what the table holds on disk. */
  allocatedBytes: number;
  /** What a rebuild would give back, estimated. */
  reclaimableBytes: number;
  /** reclaimableBytes / allocatedBytes, 0..100. */
  percent: number;
  /** Current (data + index) / rows; null for an empty table. */
  bytesPerRow: number | null;
  baselineBytesPerRow: number | null;
  /** How the estimate was made, for the report. */
  basis: 'baseline' | 'data-free-only';
}

/** Bloat from density, with DATA_FREE as a floor. A fresh rebuild holds about rows × baseline bytes per row and no free
 * extents, so what it gives back is everything above that. Without a baseline only DATA_FREE counts (an underestimate:
 * half-empty pages are invisible to it). A denser-than-baseline table (row estimates vary) is never negative. */
export function estimateBloat(size: MaintenanceTableSize, baseline: Baseline | null): BloatEstimate {
  const used = size.dataLength + size.indexLength;
  const allocated = allocatedBytes(size);
  const bytesPerRow = size.rows > 0 ? used / size.rows : null;
  const densityWaste = baseline ? Math.max(0, used - size.rows * baseline.bytesPerRow) : 0;
  const reclaimableBytes = Math.round(densityWaste + size.dataFree);
  return {
    allocatedBytes: allocated,
    reclaimableBytes,
    percent: allocated > 0 ? (reclaimableBytes / allocated) * 100 : 0,
    bytesPerRow,
    baselineBytesPerRow: baseline?.bytesPerRow ?? null,
    basis: baseline ? 'baseline' : 'data-free-only',
  };
}
