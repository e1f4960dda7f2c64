import { describe, expect, it } from 'vitest';
import { LiveFeed } from './livefeed.svelte.js';
import { PagedList } from './paged.svelte.js';

const post = (id, author = 2) => ({ id, author: { id: author }, body: `Post ${id}` });
const ids = (list) => list.items.map((p) => p.id);

function feed({ atTop = false } = {}) {
  const list = new PagedList(async () => ({ items: [], next: null }), { items: [post(5), post(4)], next: 4 });
  const where = { atTop };
  const live = new LiveFeed(list, { atTop: () => where.atTop, isMine: (p) => p.author.id === 1 });
  return { list, live, where };
}

describe('LiveFeed', () => {
  it('puts a new post at the top while the reader is there', () => {
    const { list, live } = feed({ atTop: true });
    live.receive(post(6));
    expect(ids(list)).toEqual([6, 5, 4]);
    expect(live.pending).toEqual([]);
  });

  it('holds new posts behind "N new posts" while the reader is scrolled down', () => {
    const { list, live, where } = feed();
    live.receive(post(6));
    live.receive(post(7));
    live.receive(post(7)); // the same frame twice
    live.receive(post(5)); // already listed
    expect(ids(list)).toEqual([5, 4]);
    expect(live.pending.map((p) => p.id)).toEqual([7, 6]);
    where.atTop = true;
    expect(live.showPending()).toBe(2);
    expect(ids(list)).toEqual([7, 6, 5, 4]);
    expect(live.pending).toEqual([]);
  });

  it('puts the reader’s own posts straight in, wherever they are', () => {
    const { list, live } = feed();
    live.receive(post(8, 1));
    expect(ids(list)).toEqual([8, 5, 4]);
  });

  it('leaves a list not loaded yet to its first page', () => {
    const list = new PagedList(async () => ({ items: [], next: null }));
    const live = new LiveFeed(list, { atTop: () => true });
    live.receive(post(1));
    expect(list.items).toEqual([]);
    expect(live.pending).toEqual([]);
  });
});
