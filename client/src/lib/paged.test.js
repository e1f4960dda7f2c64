import { describe, expect, it, vi } from 'vitest';
import { mergeUnique, PagedList } from './paged.svelte.js';

const ids = (list) => list.items.map((item) => item.id);

describe('PagedList', () => {
  it('shows each id once when pages overlap (posts arrived between two pages)', async () => {
    const fetchPage = vi
      .fn()
      .mockResolvedValueOnce({ items: [{ id: 9 }, { id: 8 }, { id: 7 }], next: 7 })
      .mockResolvedValueOnce({ items: [{ id: 7 }, { id: 6 }, { id: 5 }], next: 5 })
      .mockResolvedValueOnce({ items: [{ id: 5 }, { id: 4 }], next: null });
    const list = new PagedList(fetchPage);
    await list.load();
    await list.more();
    await list.more();
    expect(ids(list)).toEqual([9, 8, 7, 6, 5, 4]);
    expect(fetchPage.mock.calls.map(([params]) => params)).toEqual([{}, { before: 7 }, { before: 5 }]);
    expect(list.next).toBeNull();
    await list.more(); // the end: nothing asked
    expect(fetchPage).toHaveBeenCalledTimes(3);
  });

  it('puts a new item first once, and keeps it when the first page comes back with it', async () => {
    let answer;
    const list = new PagedList(() => new Promise((resolve) => (answer = resolve)));
    const loading = list.load();
    expect(list.prepend({ id: 10 })).toBe(true); // written while the feed was loading
    answer({ items: [{ id: 10 }, { id: 3 }], next: null });
    await loading;
    expect(ids(list)).toEqual([10, 3]);
    expect(list.prepend({ id: 3 })).toBe(false);
    expect(list.prepend({ id: 11 })).toBe(true);
    expect(ids(list)).toEqual([11, 10, 3]);
  });

  it('reloads from scratch and drops an item', async () => {
    const list = new PagedList(async () => ({ items: [{ id: 2 }, { id: 1 }], next: null }));
    await list.load();
    await list.load();
    expect(ids(list)).toEqual([2, 1]);
    list.remove((item) => item.id === 2);
    expect(ids(list)).toEqual([1]);
  });
});

describe('PagedList from a first page', () => {
  it('starts loaded with the page a load function got, and goes on from its cursor', async () => {
    const fetchPage = vi.fn(async () => ({ items: [{ id: 7 }, { id: 6 }], next: null }));
    const list = new PagedList(fetchPage, { items: [{ id: 9 }, { id: 8 }, { id: 7 }], next: 7 });
    expect(list.loaded).toBe(true);
    expect(ids(list)).toEqual([9, 8, 7]);
    await list.more();
    expect(fetchPage).toHaveBeenCalledWith({ before: 7 });
    expect(ids(list)).toEqual([9, 8, 7, 6]);
    expect(list.next).toBeNull();
  });
});

describe('mergeUnique', () => {
  it('keeps items without an id (activity entries) as they come', () => {
    const a = { kind: 'group_join' };
    expect(mergeUnique([{ id: 1 }, a], [a, { id: 1 }, { id: 2 }])).toEqual([{ id: 1 }, a, a, { id: 2 }]);
  });
});
