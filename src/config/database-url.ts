/** DATABASE_URL=mysql://user:password@host:port/database → the db fields it sets. Errors never echo the URL. */
export function parseDatabaseUrl(raw: string): { fields: Record<string, unknown> } | { error: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { error: 'DATABASE_URL: is not a URL (expected mysql://user:password@host:3306/database)' };
  }
  if (url.protocol !== 'mysql:' && url.protocol !== 'mariadb:') {
    return { error: `DATABASE_URL: scheme must be mysql:// or mariadb://, not ${url.protocol}//` };
  }
  const fields: Record<string, unknown> = {};
  if (url.hostname) fields.host = url.hostname;
  if (url.port) fields.port = Number(url.port);
  if (url.username) fields.user = decodeURIComponent(url.username);
  if (url.password) fields.password = decodeURIComponent(url.password);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database) fields.database = database;
  return { fields };
}
