import { z } from 'zod';
import { jobBaseShape } from '../../src/config/config-schema.js';

export const pingDefaults = { schedule: '15 3 * * *', catchUp: false };

/** `jobs.ping`: only the keys every job has. */
export const pingConfigSchema = z.object({ ...jobBaseShape(pingDefaults) });
