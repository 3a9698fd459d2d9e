import type { Baseline } from './baselines.js';
import type { SizePrediction } from './size-model.js';

export interface MaintenanceTableSize {
  rows: number;
  dataLength: number;
  indexLength: number;
  dataFree: number;
  /** The table's .ibd file as the filesystem has it (INNODB_SYS_TABLESPACES / INNODB_TABLESPACES); null when not
   * file-per-table or not found. */
  tablespace?: { fileBytes: number; allocatedBytes: number } | null;
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
  /** model: from the table's own rows (size-model.ts); baseline: bytes per row since a rebuild; else DATA_FREE. */
  basis: 'model' | 'baseline' | 'data-free-only';
  /** basis model: data + index a rebuild would leave (the model × this table's correction), and the correction. */
  predictedBytes?: number;
  modelFactor?: number;
}

/** Bloat from density, with DATA_FREE as a floor. A fresh rebuild holds about rows × baseline bytes per row and no free
 * extents, so what it gives back is everything above that. Without a baseline only DATA_FREE counts (an underestimate:
 * half-empty pages are invisible to it). A denser-than-baseline table (row estimates vary) is never negative. */
export function estimateBloat(
  size: MaintenanceTableSize,
  baseline: Baseline | null,
  prediction?: SizePrediction | null,
): BloatEstimate {
  if (prediction) return estimateFromModel(size, baseline, prediction);
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

/** Bloat = allocated now − what the model predicts a rebuild leaves. The last rebuild's actual/predicted ratio (kept
 * with the baseline) corrects the model for this table. Independent of history: a table bloated before dbkeeper first
 * saw it is found on the first run. */
function estimateFromModel(
  size: MaintenanceTableSize,
  baseline: Baseline | null,
  prediction: SizePrediction,
): BloatEstimate {
  const allocated = allocatedBytes(size);
  const modelFactor = baseline?.source === 'rebuild' && baseline.modelFactor ? baseline.modelFactor : 1;
  const predictedBytes = Math.round(prediction.totalBytes * modelFactor);
  const reclaimableBytes = Math.max(0, allocated - predictedBytes);
  return {
    allocatedBytes: allocated,
    reclaimableBytes,
    percent: allocated > 0 ? (reclaimableBytes / allocated) * 100 : 0,
    bytesPerRow: size.rows > 0 ? (size.dataLength + size.indexLength) / size.rows : null,
    baselineBytesPerRow: baseline?.bytesPerRow ?? null,
    basis: 'model',
    predictedBytes,
    modelFactor,
  };
}
