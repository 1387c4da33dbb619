import { CloudWatchClient, type CloudWatchClientConfig } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchEmulator } from './startCloudWatchEmulator';

/** AWS's documented example key pair: never a real credential. */
export const TEST_CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

/** A real CloudWatch client pointed at the stand-in. */
export function cloudWatchClientFor(emulator: CloudWatchEmulator, config: Partial<CloudWatchClientConfig> = {}): CloudWatchClient {
  return new CloudWatchClient({ endpoint: emulator.url, region: emulator.region, credentials: TEST_CREDENTIALS, ...config });
}
