/**
 * A throwaway serving certificate for the emulator's HTTPS mode, made by the `openssl` CLI:
 * self-signed (it is its own CA), EC P-256, valid for 127.0.0.1 and localhost for two days.
 * The kubeconfig carries it as `certificate-authority-data`, so the client verifies the
 * server the way it verifies a GKE control plane.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServingCertificate {
  certificatePem: string;
  privateKeyPem: string;
}

export function makeServingCertificate(): ServingCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'kube-emulator-tls-'));
  try {
    const keyFile = join(dir, 'apiserver.key');
    const certFile = join(dir, 'apiserver.crt');
    execFileSync(
      'openssl',
      [
        'req', '-x509', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
        '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=kube-apiserver',
        '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc',
        '-addext', 'basicConstraints=critical,CA:TRUE',
      ],
      { stdio: 'pipe' },
    );
    return { certificatePem: readFileSync(certFile, 'utf8'), privateKeyPem: readFileSync(keyFile, 'utf8') };
  } catch (error) {
    throw new Error(`kubernetes emulator: HTTPS needs the openssl CLI to make a certificate: ${(error as Error).message}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
