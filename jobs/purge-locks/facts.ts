import type { PurgeTarget } from './config.js';
import type { WallClock } from './cutoff.js';

export interface IndexFact {
  name: string;
  columns: string[];
  /** false when IGNORED (MariaDB) or INVISIBLE (MySQL): the optimizer cannot use it. */
  usable: boolean;
}

/** What the collector read about one target; the planner decides from these alone. */
export interface TargetFacts {
  target: PurgeTarget;
  /** null: no such base table in the database. */
  table: { engine: string | null } | null;
  /** Every column name with its DATA_TYPE (lower case). */
  columns: { name: string; dataType: string }[];
  indexes: IndexFact[];
  /** For DATETIME columns: the zone's wall clock at each cutoff sample instant; null where the server could not
   * convert. */
  wallClockSamples: (WallClock | null)[] | null;
  /** The zone the samples are in, for people: "Europe/Berlin", '"server" = global time_zone SYSTEM = system_time_zone
   * UTC'. */
  zoneLabel: string | null;
}

export type ReplicaFacts =
  { kind: 'not-a-replica' } | { kind: 'replica'; lagSeconds: number | null } | { kind: 'not-visible'; reason: string };

export interface PurgeFacts {
  database: string;
  targets: TargetFacts[];
  replica: ReplicaFacts;
}
