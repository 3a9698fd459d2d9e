// A CA and certificates made with openssl for TLS tests: a server certificate for loopback names, and one for
// another host name (what verify-identity must refuse). Files are readable by the mysql user.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chownRecursive } from './throwaway-server.js';

export interface CertificateSet {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** Signed by the same CA for `otherHost` only: valid chain, wrong identity for 127.0.0.1/localhost. */
  otherHostCert: string;
  otherHostKey: string;
  otherHost: string;
  /** A second CA that signed nothing here: verify-ca against it must fail. */
  strangerCaCert: string;
}

const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: 'pipe' });

function signedCertificate(dir: string, name: string, subjectAltName: string): void {
  openssl(
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}-key.pem`,
      '-subj',
      `/CN=${name}`,
      '-out',
      `${name}.csr`,
    ],
    dir,
  );
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${subjectAltName}\n`);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca-key.pem',
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    ],
    dir,
  );
}

export function makeCertificates(dir: string, otherHost = 'db.other.invalid'): CertificateSet {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca-key.pem',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=dbkeeper test CA',
    ],
    dir,
  );
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'stranger-ca-key.pem',
      '-out',
      'stranger-ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=stranger CA',
    ],
    dir,
  );
  signedCertificate(dir, 'server', 'DNS:localhost,IP:127.0.0.1');
  signedCertificate(dir, 'other', `DNS:${otherHost}`);
  chownRecursive(dir);
  return {
    dir,
    caCert: join(dir, 'ca.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server-key.pem'),
    otherHostCert: join(dir, 'other.pem'),
    otherHostKey: join(dir, 'other-key.pem'),
    otherHost,
    strangerCaCert: join(dir, 'stranger-ca.pem'),
  };
}

/** mariadbd options for a TLS-only server with this certificate and key. */
export function tlsOnlyArgs(ca: string, cert: string, key: string): string[] {
  return [`--ssl-ca=${ca}`, `--ssl-cert=${cert}`, `--ssl-key=${key}`, '--require-secure-transport=ON'];
}
