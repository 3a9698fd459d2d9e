import { z } from 'zod';
import { jobBaseShape, type JobOwnConfig } from '../../src/config/config-schema.js';
import { identifierSchema, isLegalIdentifier } from '../../src/config/identifier.js';

/** A table name, or "schema.table" split at some dot (a dot may also be part of a name: "v2.sessions" is either). */
const isTableKey = (k: string) =>
  isLegalIdentifier(k) ||
  [...k.matchAll(/\./g)].some((m) => isLegalIdentifier(k.slice(0, m.index)) && isLegalIdentifier(k.slice(m.index + 1)));
const tableKey = z
  .string()
  .refine(
    isTableKey,
    'must be "table" or "schema.table" with legal names (1-64 characters, no NUL, no trailing space)',
  );

export const indexReviewDefaults = { schedule: '30 4 1 * *', catchUp: true };

/** `jobs.index-review`: every key has its default here. */
export const indexReviewConfigSchema = z
  .object({
    ...jobBaseShape(indexReviewDefaults),
    /** Schemas to review; [] = the connected database. */
    schemas: z.array(identifierSchema).default(() => []),
    /** Most indexes (PRIMARY included) a table should carry. */
    indexBudget: z.number().int().positive().default(10),
    /** Per-table budgets, by "table" or "schema.table". */
    tableBudgets: z.record(tableKey, z.number().int().positive()).default(() => ({ appointments: 6 })),
    /** How far back the review sums stored usage snapshots. */
    evidenceWindowDays: z.number().int().positive().default(35),
    /** Fewer observed days than this: an index without reads is not called unused yet. */
    minEvidenceDays: z.number().nonnegative().default(7),
    /** Snapshots older than this are deleted from dbkeeper_index_usage. */
    snapshotRetentionDays: z.number().int().positive().default(100),
  })
  .superRefine((c, ctx) => {
    if (c.minEvidenceDays > c.evidenceWindowDays) {
      ctx.addIssue({
        code: 'custom',
        path: ['minEvidenceDays'],
        message: `minEvidenceDays (${c.minEvidenceDays}) must not exceed evidenceWindowDays (${c.evidenceWindowDays})`,
      });
    }
    if (c.snapshotRetentionDays < c.evidenceWindowDays) {
      ctx.addIssue({
        code: 'custom',
        path: ['snapshotRetentionDays'],
        message: `snapshotRetentionDays (${c.snapshotRetentionDays}) must be at least evidenceWindowDays (${c.evidenceWindowDays})`,
      });
    }
  });

export type IndexReviewConfig = JobOwnConfig<typeof indexReviewConfigSchema>;
