// A throw-away self-signed certificate for 127.0.0.1 / localhost (and more
// names if asked), made with the openssl command, for tests of the TLS
// listeners and of webhook receivers.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface TestCertificate { dir: string; certFile: string; keyFile: string; cert: string; dispose (): void }

/** `names`: more DNS names the certificate is valid for, besides localhost and 127.0.0.1. */
export function selfSignedCertificate (names: readonly string[] = []): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'rh-tls-'))
  const certFile = join(dir, 'cert.pem')
  const keyFile = join(dir, 'key.pem')
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', `subjectAltName=${['DNS:localhost', 'IP:127.0.0.1', ...names.map((n) => `DNS:${n}`)].join(',')}`,
    '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' })
  return { dir, certFile, keyFile, cert: readFileSync(certFile, 'utf8'), dispose: () => rmSync(dir, { recursive: true, force: true }) }
}
