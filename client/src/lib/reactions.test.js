import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  changeReaction,
  describeReactions,
  KINDS,
  reactionOf,
  topKinds,
  totalOf,
  withReaction
} from './reactions.js';
import { markLive } from './live.js';

describe('counts', () => {
  it('offers the six kinds of API.md in order', () => {
    expect(KINDS.map((k) => k.kind)).toEqual(['like', 'love', 'haha', 'wow', 'sad', 'angry']);
    expect(reactionOf('haha')).toEqual({ kind: 'haha', emoji: '😆', label: 'Haha' });
    expect(reactionOf('shrug').label).toBe('shrug');
  });

  it('totals, ranks and describes them', () => {
    const reactions = { haha: 1, like: 2, wow: 1 };
    expect(totalOf(reactions)).toBe(4);
    expect(totalOf({})).toBe(0);
    expect(totalOf(undefined)).toBe(0);
    expect(topKinds(reactions, 2)).toEqual(['like', 'haha']); // ties in the picker's order
    expect(topKinds({ like: 0, sad: 3 })).toEqual(['sad']);
    expect(describeReactions(reactions)).toBe('4 reactions: 2 Like, 1 Haha, 1 Wow');
    expect(describeReactions({ love: 1 })).toBe('1 reaction: 1 Love');
  });

  it('moves one person from a kind to another, dropping empty kinds', () => {
    expect(withReaction({ like: 1 }, null, 'like')).toEqual({ like: 2 });
    expect(withReaction({ like: 1 }, 'like', 'haha')).toEqual({ haha: 1 });
    expect(withReaction({ like: 2, sad: 1 }, 'sad', null)).toEqual({ like: 2 });
    expect(withReaction(undefined, null, 'wow')).toEqual({ wow: 1 });
  });
});

/** fetch answering in order, each answer a [status, body] or a promise of one. */
function answers(...list) {
  const fetch = vi.fn(async () => {
    const [status, body] = await list.shift();
    return status === 204 ? new Response(null, { status }) : Response.json(body, { status });
  });
  vi.stubGlobal('fetch', fetch);
  return fetch;
}
const deferred = () => {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
};
const calls = (fetch) =>
  fetch.mock.calls.map(([path, init]) => `${init.method} ${path} ${init.body ?? ''}`.trim());

afterEach(() => vi.unstubAllGlobals());

describe('changeReaction', () => {
  it('likes at once, then takes the server’s counts', async () => {
    const reply = deferred();
    const fetch = answers(reply.promise);
    const post = { id: 4, reactions: { haha: 1 }, my_reaction: null };
    const done = changeReaction('posts', post, 'like');
    expect(post).toEqual({ id: 4, reactions: { haha: 1, like: 1 }, my_reaction: 'like' });
    reply.resolve([200, { post: { id: 4, reactions: { haha: 1, like: 2 }, my_reaction: 'like' } }]);
    await done;
    expect(post.reactions).toEqual({ haha: 1, like: 2 });
    expect(calls(fetch)).toEqual(['PUT /api/posts/4/reaction {"kind":"like"}']);
  });

  it('changes and withdraws a comment’s reaction', async () => {
    const fetch = answers(
      [200, { comment: { id: 9, reactions: { love: 1 }, my_reaction: 'love' } }],
      [204]
    );
    const comment = { id: 9, reactions: { like: 1 }, my_reaction: 'like' };
    await changeReaction('comments', comment, 'love');
    expect(comment).toEqual({ id: 9, reactions: { love: 1 }, my_reaction: 'love' });
    await changeReaction('comments', comment, null);
    expect(comment).toEqual({ id: 9, reactions: {}, my_reaction: null });
    expect(calls(fetch)).toEqual([
      'PUT /api/comments/9/reaction {"kind":"love"}',
      'DELETE /api/comments/9/reaction'
    ]);
  });

  it('rolls back when the server refuses, and says why', async () => {
    answers([404, { error: { code: 'not_found', message: 'No such post.' } }]);
    const post = { id: 4, reactions: { like: 3 }, my_reaction: 'like' };
    await expect(changeReaction('posts', post, 'angry')).rejects.toMatchObject({ code: 'not_found' });
    expect(post).toEqual({ id: 4, reactions: { like: 3 }, my_reaction: 'like' });
  });

  it('keeps live counts that came in meanwhile, and my own kind', async () => {
    const reply = deferred();
    answers(reply.promise);
    const post = { id: 4, reactions: {}, my_reaction: null };
    const done = changeReaction('posts', post, 'wow');
    post.reactions = { wow: 1, sad: 1 }; // a live post.counts frame, newer than the answer
    markLive(post);
    reply.resolve([200, { post: { id: 4, reactions: { wow: 1 }, my_reaction: 'wow' } }]);
    await done;
    expect(post).toEqual({ id: 4, reactions: { wow: 1, sad: 1 }, my_reaction: 'wow' });
  });

  it('lets the last of two overlapping changes decide; a failed earlier one is not undone', async () => {
    const first = deferred();
    const second = deferred();
    answers(first.promise, second.promise);
    const post = { id: 4, reactions: {}, my_reaction: null };
    const one = changeReaction('posts', post, 'like');
    const two = changeReaction('posts', post, 'love');
    expect(post).toEqual({ id: 4, reactions: { love: 1 }, my_reaction: 'love' });
    second.resolve([200, { post: { id: 4, reactions: { love: 1 }, my_reaction: 'love' } }]);
    await two;
    first.resolve([500, {}]);
    await expect(one).rejects.toMatchObject({ status: 500 });
    expect(post).toEqual({ id: 4, reactions: { love: 1 }, my_reaction: 'love' });
  });

  it('does nothing when the reaction is already that one', async () => {
    const fetch = answers();
    await changeReaction('posts', { id: 4, reactions: { like: 1 }, my_reaction: 'like' }, 'like');
    expect(fetch).not.toHaveBeenCalled();
  });
});
