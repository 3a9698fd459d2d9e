import type { JobPrivileges } from '../../src/db/privileges.js';

/** VERSION(), @@global.read_only and SHOW GLOBAL STATUS need no grant beyond the connection (USAGE). */
export const pingPrivileges: JobPrivileges<unknown> = () => [];
