import { z } from 'zod';

/** DB_SSL_MODE and the PEM files (paths); the words and meanings are the MySQL client's --ssl-mode. */
export const sslSchema = z.strictObject({
  mode: z.enum(['disabled', 'preferred', 'required', 'verify-ca', 'verify-identity']),
  ca: z.string().min(1).nullable(),
  cert: z.string().min(1).nullable(),
  key: z.string().min(1).nullable(),
});
