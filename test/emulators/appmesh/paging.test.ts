import { AppMeshError } from './appMeshErrors';
import { paginate, parseLimit } from './paging';

const names = Array.from({ length: 7 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);

describe('paging', () => {
  it('walks a list in pages of `limit` with an opaque token, and ends without one', () => {
    const first = paginate(names, (n) => n, { limit: '3' }, 'virtualNode/111122223333/prod-mesh/');
    expect(first.items).toEqual(['svc-00', 'svc-01', 'svc-02']);
    expect(first.nextToken).toEqual(expect.any(String));
    expect(first.nextToken).not.toContain('svc-02');

    const second = paginate(names, (n) => n, { limit: '3', nextToken: first.nextToken }, 'virtualNode/111122223333/prod-mesh/');
    expect(second.items).toEqual(['svc-03', 'svc-04', 'svc-05']);
    const third = paginate(names, (n) => n, { limit: '3', nextToken: second.nextToken }, 'virtualNode/111122223333/prod-mesh/');
    expect(third).toEqual({ items: ['svc-06'], nextToken: undefined });
  });

  it('continues after the last key returned, even when items were removed in between', () => {
    const first = paginate(names, (n) => n, { limit: '2' }, 's');
    const withoutNext = names.filter((n) => n !== 'svc-02');
    expect(paginate(withoutNext, (n) => n, { limit: '2', nextToken: first.nextToken }, 's').items).toEqual(['svc-03', 'svc-04']);
  });

  it('rejects a token from another list, or garbage, as BadRequestException', () => {
    const token = paginate(names, (n) => n, { limit: '2' }, 'virtualNode/a')!.nextToken;
    expect(() => paginate(names, (n) => n, { nextToken: token }, 'virtualService/a')).toThrow(AppMeshError);
    expect(() => paginate(names, (n) => n, { nextToken: 'not-a-token' }, 's')).toThrow(
      expect.objectContaining({ errorName: 'BadRequestException', statusCode: 400 }),
    );
  });

  it.each([
    [undefined, 100],
    ['1', 1],
    ['100', 100],
  ])('limit %s means %i items per page', (raw, expected) => {
    expect(parseLimit(raw)).toBe(expected);
  });

  it.each(['0', '101', '-5', 'ten', '2.5'])('limit %s is a BadRequestException', (raw) => {
    expect(() => parseLimit(raw)).toThrow(expect.objectContaining({ errorName: 'BadRequestException' }));
  });
});
