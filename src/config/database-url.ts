/** DATABASE_URL=mysql://user:password@host:port/database?ssl-mode=verify-ca&ssl-ca=/path → the db fields it sets,
 * as paths under `db`. Errors never echo the URL. */

/** Query parameters, named as the MySQL client's options, and the field each sets. */
const QUERY_PARAMETERS: Readonly<Record<string, string[]>> = {
  'ssl-mode': ['ssl', 'mode'],
  'ssl-ca': ['ssl', 'ca'],
  'ssl-cert': ['ssl', 'cert'],
  'ssl-key': ['ssl', 'key'],
};

export interface UrlField {
  path: string[];
  value: unknown;
}

export function parseDatabaseUrl(raw: string): { fields: UrlField[] } | { error: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { error: 'DATABASE_URL: is not a URL (expected mysql://user:password@host:3306/database)' };
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    return { error: `DATABASE_URL: scheme must be mysql:// or mariadb://, not ${url.protocol}//` };
  }
  const fields: UrlField[] = [];
  const decoded = (part: string, what: string): string | { error: string } => {
    try {
      return decodeURIComponent(part);
    } catch {
      return { error: `DATABASE_URL: the ${what} is not valid percent-encoding (write a literal % as %25)` };
    }
  };
  if (url.hostname) fields.push({ path: ['host'], value: url.hostname });
  if (url.port) fields.push({ path: ['port'], value: Number(url.port) });
  for (const [part, what, key] of [
    [url.username, 'user name', 'user'],
    [url.password, 'password', 'password'],
    [url.pathname.replace(/^\//, ''), 'database name', 'database'],
  ] as const) {
    if (!part) continue;
    const value = decoded(part, what);
    if (typeof value !== 'string') return value;
    fields.push({ path: [key], value });
  }
  for (const [name, value] of url.searchParams) {
    const path = QUERY_PARAMETERS[name];
    if (!path) {
      return {
        error: `DATABASE_URL: unknown query parameter '${name}' (known: ${Object.keys(QUERY_PARAMETERS).join(', ')})`,
      };
    }
    fields.push({ path, value: value === '' ? null : value });
  }
  return { fields };
}
