// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushSync } from 'svelte';
import { FakeSocket } from '$lib/testing/fakeSocket.svelte.js';
import { RECONNECTED } from '$lib/realtime/protocol.js';
import { releasePost, showPost } from './posts.svelte.js';
import { MAX_FEEDS, MAX_POSTS, startWatch, watchFeed, watchSet } from './watch.svelte.js';

const post = (id, extra = {}) => ({
  id,
  author: { id: 2 },
  body: `Post ${id}`,
  reactions: {},
  my_reaction: null,
  comments_count: 0,
  edited_at: null,
  ...extra
});
/** Let queued watch frames go (they are sent once per burst of changes). */
const settle = async () => {
  flushSync();
  await Promise.resolve();
};

describe('watchSet', () => {
  it('names each feed and post once, within API.md’s bounds', () => {
    expect(watchSet(['home', 'home', 'user:3'], [4, 5, 4])).toEqual({ feeds: ['home', 'user:3'], posts: [4, 5] });
    const feeds = Array.from({ length: 12 }, (_, i) => `user:${i + 1}`);
    const posts = Array.from({ length: 520 }, (_, i) => i + 1);
    const set = watchSet(feeds, posts);
    expect(MAX_FEEDS).toBe(10);
    expect(MAX_POSTS).toBe(500);
    expect(set.feeds).toEqual(feeds.slice(0, 10));
    // The last to appear: where the reader has scrolled to.
    expect(set.posts).toHaveLength(500);
    expect(set.posts[0]).toBe(21);
    expect(set.posts.at(-1)).toBe(520);
  });
});

describe('startWatch', () => {
  let socket;
  let stop;
  const cleanups = [];
  const shown = (item) => {
    const entry = showPost(item);
    cleanups.push(() => releasePost(entry));
    return entry;
  };

  beforeEach(() => {
    socket = new FakeSocket();
    stop = startWatch(socket);
  });
  afterEach(() => {
    cleanups.splice(0).forEach((fn) => fn());
    stop();
  });

  it('sends the set once the socket opens, on every change, and again after a reconnect', async () => {
    cleanups.push(watchFeed('home', () => {}));
    const entry = shown(post(4));
    await settle();
    expect(socket.sent).toEqual([]); // not open yet

    socket.connected = true;
    await settle();
    expect(socket.sent).toEqual([{ type: 'watch', feeds: ['home'], posts: [4] }]);

    // A burst of changes is one frame; the same set is not sent twice.
    const more = shown(post(5));
    shown(post(6));
    releasePost(more);
    await settle();
    expect(socket.sent.at(-1)).toEqual({ type: 'watch', feeds: ['home'], posts: [4, 6] });
    expect(socket.sent).toHaveLength(2);
    showPost(entry.post); // the same post in a second list
    await settle();
    expect(socket.sent).toHaveLength(2);

    socket.emit({ type: RECONNECTED });
    expect(socket.sent.at(-1)).toEqual({ type: 'watch', feeds: ['home'], posts: [4, 6] });
    expect(socket.sent).toHaveLength(3);
    releasePost(entry);
  });

  it('watches at most the last 500 posts shown', async () => {
    socket.connected = true;
    for (let id = 1; id <= 501; id += 1) shown(post(id));
    await settle();
    expect(socket.sent).toHaveLength(1);
    const { posts } = socket.sent[0];
    expect([posts.length, posts[0], posts.at(-1)]).toEqual([500, 2, 501]);
  });

  it('stops watching a feed when its last page goes', async () => {
    socket.connected = true;
    const stopOne = watchFeed('explore', () => {});
    const stopTwo = watchFeed('explore', () => {});
    await settle();
    expect(socket.sent.at(-1).feeds).toEqual(['explore']);
    stopOne();
    await settle();
    expect(socket.sent.at(-1).feeds).toEqual(['explore']);
    stopTwo();
    await settle();
    expect(socket.sent.at(-1)).toEqual({ type: 'watch', feeds: [], posts: [] });
  });

  it('hands post.new to the pages of its feed only', () => {
    const home = vi.fn();
    const group = vi.fn();
    cleanups.push(watchFeed('home', home), watchFeed('group:3', group));
    socket.emit({ type: 'post.new', feed: 'group:3', post: post(9) });
    expect(group).toHaveBeenCalledWith(post(9));
    expect(home).not.toHaveBeenCalled();
  });

  it('changes the shown post in place, keeping my own reaction', () => {
    const entry = shown(post(4, { my_reaction: 'love', reactions: { love: 1 } }));
    socket.emit({ type: 'post.edited', post: { ...post(4, { body: 'Edited', edited_at: '2025-01-02T00:00:00Z' }), my_reaction: undefined } });
    expect(entry.post).toMatchObject({ body: 'Edited', edited_at: '2025-01-02T00:00:00Z', my_reaction: 'love' });
    socket.emit({ type: 'post.counts', post_id: 4, comments_count: 3, reactions: { love: 1, wow: 2 } });
    expect(entry.post).toMatchObject({ comments_count: 3, reactions: { love: 1, wow: 2 }, my_reaction: 'love' });
    expect(entry.thread.count).toBe(3);
    socket.emit({ type: 'post.counts', post_id: 99, comments_count: 1, reactions: {} }); // not shown: nothing
  });

  it('marks a post gone: removed by a live frame, deleted when this tab deleted it', () => {
    const one = shown(post(4));
    const two = shown(post(5));
    two.deleting = true;
    socket.emit({ type: 'post.deleted', post_id: 4 });
    socket.emit({ type: 'post.deleted', post_id: 5 });
    expect([one.gone, two.gone]).toEqual(['removed', 'deleted']);
  });

  it('passes comment frames to the thread of their post', async () => {
    const comment = (id, body) => ({ id, post_id: 4, author: { id: 2 }, body, reactions: {}, my_reaction: null });
    vi.stubGlobal('fetch', async () => Response.json({ items: [comment(7, 'First')], next: null }));
    const entry = shown(post(4, { comments_count: 1 }));
    await entry.thread.load();
    socket.emit({ type: 'comment.new', comment: comment(8, 'Second') });
    socket.emit({ type: 'comment.edited', comment: { ...comment(7, 'First, edited'), my_reaction: undefined } });
    socket.emit({ type: 'comment.counts', comment_id: 8, reactions: { haha: 1 } });
    expect(entry.thread.shown.map((c) => [c.body, c.reactions])).toEqual([
      ['First, edited', {}],
      ['Second', { haha: 1 }]
    ]);
    socket.emit({ type: 'comment.deleted', post_id: 4, comment_id: 7 });
    expect(entry.thread.shown.map((c) => c.body)).toEqual(['Second']);
  });

  it('forgets the socket when stopped', async () => {
    stop();
    socket.connected = true;
    cleanups.push(watchFeed('home', () => {}));
    await settle();
    expect(socket.sent).toEqual([]);
    stop = startWatch(socket);
    await settle();
    expect(socket.sent).toEqual([{ type: 'watch', feeds: ['home'], posts: [] }]);
  });
});
