import type { Flavor } from './dialect.js';

/** What a GRANT is on: the whole server (`*.*`), one schema (`db`.*) or one table (`db`.`t`). */
export type PrivilegeObject =
  { kind: 'global' } | { kind: 'schema'; schema: string } | { kind: 'table'; schema: string; table: string };

/** A harmless statement that fails with an access error (1142, 1044, 1227) when the privilege is missing.
 * `okErrnos`: errors raised only after the privilege check passed (e.g. 1507, no such partition). */
export interface PrivilegeProbe {
  sql: string;
  okErrnos?: readonly number[];
}

/** One privilege a job needs: one line in the job's `privileges.ts`. */
export interface PrivilegeNeed {
  /** One privilege word as GRANT spells it: SELECT, DELETE, PROCESS, SLAVE MONITOR… */
  privilege: string;
  object: PrivilegeObject;
  /** Why dbkeeper needs it, for the person who runs the GRANT. */
  why: string;
  /** What the job still does without it; absent = the job cannot run without it (it fails naming the GRANT). */
  degradesTo?: string;
  /** Only on this server flavor; absent = both. */
  dialect?: Flavor;
  /** Overrides the probe derived from privilege and object; null = no harmless probe exists (not checked at start). */
  probe?: PrivilegeProbe | null;
}

/** Where the job's objects are: the connected database and dbkeeper's own schema (DBKEEPER_SCHEMA). */
export interface PrivilegeScope {
  database: string;
  schema: string;
}

/** A job's declaration: its needs for its validated config section. */
export type JobPrivileges<C> = (config: C, scope: PrivilegeScope) => PrivilegeNeed[];

export const onTable = (schema: string, table: string): PrivilegeObject => ({ kind: 'table', schema, table });
export const onSchema = (schema: string): PrivilegeObject => ({ kind: 'schema', schema });
export const onServer: PrivilegeObject = { kind: 'global' };

/** Replica status: SLAVE MONITOR on MariaDB 10.5+, REPLICATION CLIENT on MySQL (never REPLICATION SLAVE ADMIN,
 * which could stop replication). */
export function replicaStatusNeeds(why: string, degradesTo: string): PrivilegeNeed[] {
  return [
    { privilege: 'SLAVE MONITOR', object: onServer, why, degradesTo, dialect: 'mariadb' },
    { privilege: 'REPLICATION CLIENT', object: onServer, why, degradesTo, dialect: 'mysql' },
  ];
}

/** A need the start-up probe found missing. */
export interface MissingPrivilege {
  /** null: dbkeeper's own schema. */
  job: string | null;
  privilege: string;
  object: string;
  /** The statement to run, for the connected account. */
  grant: string;
  why: string;
  /** What the job still does without it; absent: the job cannot run. */
  degradesTo?: string;
}

/** What the probes found at start, per job (a job absent from the map had nothing missing). */
export interface PrivilegeFindings {
  account: string;
  missing: MissingPrivilege[];
}
