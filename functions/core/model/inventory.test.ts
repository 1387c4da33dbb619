import { emptyInventory, mergeInventories } from './inventory';

describe('mergeInventories', () => {
  test("keeps every part's unread providers, once each: a provider one part could not read in full stays unread in the whole", () => {
    const certificatesRefused = { ...emptyInventory(), unreadProviders: ['x509' as const] };
    const trustManagerRefused = { ...emptyInventory(), unreadProviders: ['x509' as const] };
    expect(mergeInventories([emptyInventory(), certificatesRefused, trustManagerRefused]).unreadProviders).toEqual(['x509']);
  });

  test('sets no unread providers when every part read in full', () => {
    expect(mergeInventories([emptyInventory(), emptyInventory()])).not.toHaveProperty('unreadProviders');
  });
});
