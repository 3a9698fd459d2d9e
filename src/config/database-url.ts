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
  const parts = { user: url.username, password: url.password, database: url.pathname.replace(/^\//, '') };
  for (const [part, encoded] of Object.entries(parts)) {
    const decoded = decodeOrNull(encoded);
    // The part itself may be the password: name where the problem is, never what it says.
    if (decoded === null) return { error: `DATABASE_URL: the ${part} has a % that is not followed by two hex digits (write a literal % as %25)` };
    if (decoded) fields[part] = decoded;
  }
  return { fields };
}

function decodeOrNull(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}
