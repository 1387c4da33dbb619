/**
 * Placeholders for the parts of a manual App Mesh change that only a person can supply (a
 * certificate to issue, a CA to choose). App Mesh requires `ListenerTls.certificate` /
 * `VirtualGatewayListenerTls.certificate` and `ClientPolicyTls.validation.trust`, and a STRICT
 * listener without `validation.trust` is one-way TLS: a change that leaves them out is rejected,
 * or is not mTLS. The change therefore carries every required field, with values in angle
 * brackets that no real path or secret has, and its blocker says which field to fill in. A fix
 * that writes one is always `manualOnly`.
 */
import type { TlsCertificate, ValidationTrust } from './types';

/** A server certificate for a listener: `sds` when the mesh's trust is SDS (SPIRE), else `file`. */
export function listenerCertificatePlaceholder(owner: string, sds: boolean): TlsCertificate {
  if (sds) return { sds: { secretName: `<SDS secret name of the server certificate of ${owner}>` } };
  return { file: { certificateChain: `<path of the server certificate chain of ${owner}>`, privateKey: `<path of the server private key of ${owner}>` } };
}

/** What a person fills in for `listenerCertificatePlaceholder`. */
export function listenerCertificateFill(sds: boolean): string {
  return sds
    ? 'replace the placeholder in tls.certificate.sds.secretName with the SDS secret of its server certificate'
    : 'replace the placeholders in tls.certificate.file (certificateChain, privateKey) with the files of its server certificate, or put an ACM or SDS certificate in tls.certificate instead';
}

/** The CA a listener validates client certificates with (a listener trust is `file` or `sds`, never ACM). */
export function clientCaPlaceholder(sds: boolean): ValidationTrust {
  if (sds) return { sds: { secretName: '<SDS secret name of the CA bundle that issues client certificates>' } };
  return { file: { certificateChain: '<path of the CA bundle that issues client certificates>' } };
}

export function clientCaFill(sds: boolean): string {
  return sds
    ? 'replace the placeholder in tls.validation.trust.sds.secretName with the SDS secret of the CA bundle that issues client certificates'
    : 'replace the placeholder in tls.validation.trust.file.certificateChain with the path of the CA bundle that issues client certificates';
}

/** A client certificate for a client policy (`ClientTlsCertificate` is `file` or `sds`): `sds` beside an SDS trust (SPIRE). */
export function clientCertificatePlaceholder(owner: string, sds: boolean): TlsCertificate {
  if (sds) return { sds: { secretName: `<SDS secret name of the client certificate of ${owner}>` } };
  return { file: { certificateChain: `<path of the client certificate chain of ${owner}>`, privateKey: `<path of the client private key of ${owner}>` } };
}

export const CLIENT_CERTIFICATE_FILL =
  'replace the placeholder in the client policy tls.certificate (file certificateChain and privateKey, or sds secretName) with its client certificate';

/** The CA that signs a destination's server certificate, for a client policy's required `validation.trust`. */
export function serverCaPlaceholder(serviceName: string): ValidationTrust {
  return { file: { certificateChain: `<path of the CA bundle that signs the server certificate of ${serviceName}>` } };
}

export const SERVER_CA_FILL =
  'replace the placeholder in the client policy tls.validation.trust.file.certificateChain with the CA bundle that signs that certificate, or put an ACM Private CA or SDS trust there instead';
