import { ACMClient, type ACMClientConfig } from '@aws-sdk/client-acm';
import { ACMPCAClient, type ACMPCAClientConfig } from '@aws-sdk/client-acm-pca';
import type { AcmEmulator } from './startAcmEmulator';

/** AWS's documented example key pair: never a real credential. */
export const TEST_CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

/** A real ACM client pointed at the emulator. */
export function acmClientFor(emulator: AcmEmulator, config: Partial<ACMClientConfig> = {}): ACMClient {
  return new ACMClient({ endpoint: emulator.url, region: emulator.region, credentials: TEST_CREDENTIALS, ...config });
}

/** A real ACM-PCA client pointed at the emulator. */
export function pcaClientFor(emulator: AcmEmulator, config: Partial<ACMPCAClientConfig> = {}): ACMPCAClient {
  return new ACMPCAClient({ endpoint: emulator.url, region: emulator.region, credentials: TEST_CREDENTIALS, ...config });
}
