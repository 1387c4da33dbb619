import { channelTestNotification } from '../../../test/integration/gcp/channel-test-notification';
import { isTestNotification } from './incident';

test('a channel test notification is recognised by its version "test"', () => {
  expect(isTestNotification(channelTestNotification())).toBe(true);
});

test.each([['1.2'], ['1.1'], [undefined], [1.2]])('a notification of version %p is not a test notification', (version) => {
  const notification = channelTestNotification();
  if (version === undefined) delete notification.version;
  else notification.version = version;
  expect(isTestNotification(notification)).toBe(false);
});
