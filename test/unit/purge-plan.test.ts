import { describe, expect, it } from 'vitest';
import { purgeConfigSchema, type PurgeConfig } from '../../jobs/purge-locks/config.js';
import type { IndexFact, PurgeFacts, TargetFacts } from '../../jobs/purge-locks/facts.js';
import { planPurge, type TargetPlan } from '../../jobs/purge-locks/plan.js';

const NOW = new Date('2026-11-30T17:00:00.000Z');

const config: PurgeConfig = {
  targets: [{ table: 'appointment_locks', expiryColumn: 'expires_at', graceSeconds: 0, datetimeZone: 'server' }],
  chunk: { minRows: 100, startRows: 1000, maxRows: 20000, targetMs: 100, restRatio: 0 },
  maxRowsPerRun: 1_000_000,
  maxRunSeconds: 600,
  throttle: { maxThreadsRunning: 30, pollMs: 1000 },
  retry: { maxRetries: 5, backoffMs: 200 },
};

const PK: IndexFact = { name: 'PRIMARY', columns: ['id'], usable: true };
const EXPIRY: IndexFact = { name: 'idx_locks_expires', columns: ['expires_at'], usable: true };

function target(over: Partial<TargetFacts> = {}, t: Partial<TargetFacts['target']> = {}): TargetFacts {
  return {
    target: { ...config.targets[0]!, ...t },
    table: { engine: 'InnoDB' },
    columns: [
      { name: 'id', dataType: 'bigint' },
      { name: 'expires_at', dataType: 'datetime' },
      { name: 'note', dataType: 'varchar' },
      { name: 'expires_on', dataType: 'date' },
    ],
    indexes: [PK, EXPIRY],
    wallClockSamples: ['2026-11-30 17:00:00.000000', '2026-11-30 17:15:00.000000'],
    zoneLabel: '"server" = global time_zone SYSTEM = system_time_zone UTC',
    ...over,
  };
}
const facts = (...targets: TargetFacts[]): PurgeFacts => ({
  database: 'booking',
  targets,
  replica: { kind: 'not-a-replica' },
});

function ok(f: PurgeFacts): TargetPlan[] {
  const p = planPurge(f, config, NOW);
  if (!p.ok) throw new Error(p.refusals.join('; '));
  return p.targets;
}
function refusals(f: PurgeFacts): string[] {
  const p = planPurge(f, config, NOW);
  if (p.ok) throw new Error('expected a refusal');
  return p.refusals;
}

describe('planPurge refuses, naming the object', () => {
  it.each([
    ['a missing table', target({ table: null }), /booking\.appointment_locks: no such table/],
    ['a missing column', target({}, { expiryColumn: 'valid_until' }), /appointment_locks\.valid_until: no such column/],
    ['a text column', target({}, { expiryColumn: 'note' }), /note is VARCHAR, not DATETIME or TIMESTAMP/],
    ['a DATE column', target({}, { expiryColumn: 'expires_on' }), /expires_on is DATE/],
    [
      'no index leading with the column',
      target({ indexes: [PK, { name: 'idx_x', columns: ['note', 'expires_at'], usable: true }] }),
      /no index leads with it; a purge would scan and lock the whole table.*ADD INDEX \(`expires_at`\)/,
    ],
    [
      'an ignored index',
      target({ indexes: [PK, { ...EXPIRY, usable: false }] }),
      /idx_locks_expires is ignored\/invisible/,
    ],
    ['no primary key', target({ indexes: [EXPIRY] }), /single-column PRIMARY KEY.*has none/],
    [
      'a composite primary key',
      target({ indexes: [{ name: 'PRIMARY', columns: ['id', 'note'], usable: true }, EXPIRY] }),
      /has \(id, note\)/,
    ],
    [
      'a zone the server cannot convert',
      target({ wallClockSamples: [null], zoneLabel: '"server" = global time_zone Europe/Berlin' }),
      /could not be computed.*datetimeZone/,
    ],
  ])('%s', (_what, t, message) => {
    expect(refusals(facts(t))).toEqual([expect.stringMatching(message)]);
  });

  it('refuses the whole run when one of several targets is bad', () => {
    const r = refusals(facts(target(), target({ table: null }, { table: 'hold_locks' })));
    expect(r).toHaveLength(1);
    expect(r[0]).toMatch(/hold_locks/);
  });
});

describe('planPurge cutoffs', () => {
  it('DATETIME: the smallest sampled wall clock, as a value', () => {
    const [p] = ok(
      facts(
        target({
          wallClockSamples: ['2026-11-30 18:00:00.000000', '2026-11-30 18:15:00.000000'],
          zoneLabel: 'Europe/Berlin',
        }),
      ),
    );
    expect(p!.cutoff).toBe('2026-11-30 18:00:00.000000');
    expect(p!.cutoffBasis).toContain('Europe/Berlin');
    expect(p!.notes).toEqual([]);
  });
  it('DATETIME: held back before a turn-back, with a note', () => {
    const [p] = ok(
      facts(
        target({
          wallClockSamples: ['2026-10-25 02:30:00.000000', '2026-10-25 02:45:00.000000', '2026-10-25 02:00:00.000000'],
        }),
      ),
    );
    expect(p!.cutoff).toBe('2026-10-25 02:00:00.000000');
    expect(p!.notes.join()).toMatch(/turn back/);
  });
  it('TIMESTAMP: UTC of now minus grace, whatever the zone samples say', () => {
    const f = target(
      {
        columns: [
          { name: 'id', dataType: 'bigint' },
          { name: 'expires_at', dataType: 'timestamp' },
        ],
        wallClockSamples: null,
        zoneLabel: null,
      },
      { graceSeconds: 3600 },
    );
    const [p] = ok(facts(f));
    expect(p!.cutoff).toBe('2026-11-30 16:00:00.000000');
    expect(p!.columnType).toBe('timestamp');
  });
});

describe('planPurge statements', () => {
  it('walks the expiry index by (expiry, id) and deletes by primary key with the cutoff checked again', () => {
    const [p] = ok(facts(target()));
    expect(p!.selectFirstSql).toBe(
      "SELECT `id` AS id, DATE_FORMAT(`expires_at`, '%Y-%m-%d %H:%i:%s.%f') AS expiry FROM `booking`.`appointment_locks` FORCE INDEX (`idx_locks_expires`) WHERE `expires_at` < ? ORDER BY `expires_at`, `id` LIMIT ?",
    );
    expect(p!.selectNextSql).toContain(
      'WHERE `expires_at` < ? AND `expires_at` >= ? AND (`expires_at` > ? OR (`expires_at` = ? AND `id` > ?)) ORDER BY `expires_at`, `id` LIMIT ?',
    );
    expect(p!.deleteSql).toBe('DELETE FROM `booking`.`appointment_locks` WHERE `id` IN (?) AND `expires_at` < ?');
    expect(p!.selectNextSql).not.toMatch(/NOW\(\)/);
  });
  it('prefers a one-column expiry index over a wider one, and notes when only a wide one exists', () => {
    const wide: IndexFact = { name: 'idx_wide', columns: ['expires_at', 'note'], usable: true };
    expect(ok(facts(target({ indexes: [PK, wide, EXPIRY] })))[0]!.index).toBe('idx_locks_expires');
    const [p] = ok(facts(target({ indexes: [PK, wide] })));
    expect(p!.index).toBe('idx_wide');
    expect(p!.notes.join()).toMatch(/columns after expires_at/);
  });
  it('an (expiry, id) index is already in walk order', () => {
    const [p] = ok(facts(target({ indexes: [PK, { name: 'idx_e_id', columns: ['expires_at', 'id'], usable: true }] })));
    expect(p!.notes).toEqual([]);
  });
});

describe('purge config', () => {
  it('accepts the defaults shape', () => {
    expect(purgeConfigSchema.safeParse(config).success).toBe(true);
  });
  it.each([
    [{ chunk: { ...config.chunk, minRows: 30000, startRows: 30000 } }, 'chunk.minRows', 'must be <= chunk.maxRows'],
    [{ chunk: { ...config.chunk, startRows: 50 } }, 'chunk.startRows', 'between chunk.minRows and chunk.maxRows'],
    [{ targets: [config.targets[0]!, config.targets[0]!] }, 'targets.1.table', 'listed twice'],
    [{ targets: [{ ...config.targets[0]!, table: 'locks ' }] }, 'targets.0.table', 'must not end with a space'],
    [
      { targets: [{ ...config.targets[0]!, expiryColumn: 'expires\u0000at' }] },
      'targets.0.expiryColumn',
      'must not contain a NUL character',
    ],
    [{ targets: [{ ...config.targets[0]!, datetimeZone: 'Mars/Base' }] }, 'targets.0.datetimeZone', ''],
    [{ targets: [] }, 'targets', ''],
  ])('rejects %o at %s', (over, path, message) => {
    const r = purgeConfigSchema.safeParse({ ...config, ...over });
    expect(r.success).toBe(false);
    const issue = r.error!.issues.find((i) => i.path.join('.') === path);
    expect(issue, JSON.stringify(r.error!.issues)).toBeDefined();
    expect(issue!.message).toContain(message);
  });
});
