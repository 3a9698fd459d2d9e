import type { PrivilegeObject } from './privileges.js';
import { quoteId } from './sql-identifier.js';

/** A MySQL/MariaDB account as GRANT names it: 'user'@'host'. */
export interface Account {
  user: string;
  host: string;
}

/** An account part quoted like an identifier (both servers accept `user`@`host`, as SHOW GRANTS prints it): no
 * string literal, so no backslash or sql_mode question, and log masking of '…' literals leaves it readable. */
function accountPart(s: string): string {
  return `\`${s.replace(/`/g, '``')}\``;
}

export function accountText(a: Account): string {
  return `${accountPart(a.user)}@${accountPart(a.host)}`;
}

export function grantObjectText(o: PrivilegeObject): string {
  if (o.kind === 'global') return '*.*';
  if (o.kind === 'schema') return `${quoteId(o.schema, 'schema')}.*`;
  return `${quoteId(o.schema, 'schema')}.${quoteId(o.table, 'table')}`;
}

export function grantStatement(privileges: readonly string[], o: PrivilegeObject, a: Account): string {
  return `GRANT ${privileges.join(', ')} ON ${grantObjectText(o)} TO ${accountText(a)};`;
}

const MAX_USER = 80;
const MAX_HOST = 255;

/** `'user'@'host'`, `` `user`@`host` ``, `user@host` or `user` (host '%').
 * The problem as a sentence, or the account. */
export function parseAccount(text: string): Account | string {
  const quoted = /^'((?:[^']|'')*)'@'((?:[^']|'')*)'$/.exec(text) ?? /^`((?:[^`]|``)*)`@`((?:[^`]|``)*)`$/.exec(text);
  let user: string;
  let host: string;
  if (quoted) {
    const q = text[0]!;
    user = quoted[1]!.split(q + q).join(q);
    host = quoted[2]!.split(q + q).join(q);
  } else if (/['`]/.test(text)) {
    return "quote both parts alike or neither, e.g. 'dbkeeper'@'10.%'";
  } else {
    const at = text.lastIndexOf('@');
    user = at < 0 ? text : text.slice(0, at);
    host = at < 0 ? '%' : text.slice(at + 1);
  }
  if (user.length === 0) return 'the user name is empty';
  if (host.length === 0) return "the host is empty (use '%' for any host)";
  if ([...user].length > MAX_USER) return `the user name is longer than ${MAX_USER} characters`;
  if ([...host].length > MAX_HOST) return `the host is longer than ${MAX_HOST} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(user + host)) return 'control characters are not allowed';
  return { user, host };
}

/** CURRENT_USER() ('user@host') as an account. */
export function accountOfCurrentUser(current: string): Account {
  const at = current.lastIndexOf('@');
  return at < 0 ? { user: current, host: '%' } : { user: current.slice(0, at), host: current.slice(at + 1) };
}
