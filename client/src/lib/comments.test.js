import { describe, expect, it, vi } from 'vitest';
import { CommentThread, mergeInto } from './comments.svelte.js';
import { markLive } from './live.js';

const comment = (id, body = `c${id}`) => ({ id, post_id: 4, body, image_url: null, author: { id: 1 }, created_at: '2025-01-01T10:00:00Z' });

/** Answer each path with [status, body]; records the calls. */
function routes(table) {
  const fetch = vi.fn(async (path, init) => {
    const [status, body] = table[`${init?.method ?? 'GET'} ${path}`] ?? [404, { error: { code: 'not_found', message: 'No.' } }];
    return status === 204 ? new Response(null, { status }) : Response.json(body, { status });
  });
  vi.stubGlobal('fetch', fetch);
  return fetch;
}
const bodies = (thread) => thread.shown.map((c) => c.body);

describe('CommentThread', () => {
  it('reads oldest → newest, with older pages on top', async () => {
    routes({
      'GET /api/posts/4/comments': [200, { items: [comment(9), comment(8)], next: 8 }],
      'GET /api/posts/4/comments?before=8': [200, { items: [comment(7)], next: null }]
    });
    const thread = new CommentThread({ id: 4, comments_count: 3 });
    await thread.load();
    expect(bodies(thread)).toEqual(['c8', 'c9']);
    expect(thread.hasMore).toBe(true);
    await thread.more();
    expect(bodies(thread)).toEqual(['c7', 'c8', 'c9']);
    expect(thread.hasMore).toBe(false);
    expect(thread.count).toBe(3);
  });

  it('sends a comment, shows it last at once and counts it once', async () => {
    const fetch = routes({
      'GET /api/posts/4/comments': [200, { items: [comment(9)], next: null }],
      'POST /api/posts/4/comments': [201, { comment: comment(10, 'Nice one') }]
    });
    const thread = new CommentThread({ id: 4, comments_count: 1 });
    await thread.load();
    const form = new FormData();
    form.append('body', 'Nice one');
    await thread.send(form);
    expect(bodies(thread)).toEqual(['c9', 'Nice one']);
    expect(thread.count).toBe(2);
    expect(fetch.mock.calls[1][1].body.get('body')).toBe('Nice one');

    thread.add(comment(10, 'Nice one')); // the same comment again (a refetch, a double event)
    expect(thread.count).toBe(2);
    expect(bodies(thread)).toEqual(['c9', 'Nice one']);
  });

  it('keeps a count and nothing else when the server refuses', async () => {
    routes({
      'POST /api/posts/4/comments': [422, { error: { code: 'validation_error', message: 'No.', fields: { body: 'write something or add an image' } } }]
    });
    const thread = new CommentThread({ id: 4, comments_count: 0 });
    const err = await thread.send(new FormData()).catch((e) => e);
    expect(err.fields.body).toBe('write something or add an image');
    expect(thread.count).toBe(0);
    expect(thread.shown).toEqual([]);
  });

  it('edits and deletes a comment, counting it out once the server agrees', async () => {
    routes({
      'GET /api/posts/4/comments': [200, { items: [comment(9), comment(8)], next: null }],
      'PATCH /api/comments/9': [200, { comment: { ...comment(9, 'Better'), edited_at: '2025-01-01T12:00:00Z' } }],
      'DELETE /api/comments/8': [204]
    });
    const post = { id: 4, comments_count: 2 };
    const thread = new CommentThread(post);
    await thread.load();
    await thread.edit(9, 'Better');
    expect(bodies(thread)).toEqual(['c8', 'Better']);
    expect(thread.find(9).edited_at).toBe('2025-01-01T12:00:00Z');
    await thread.delete(8);
    expect(post.comments_count).toBe(1);
    thread.drop(8);
    expect(bodies(thread)).toEqual(['Better']);
  });

  it('follows live frames in place; the count is post.counts’ alone', async () => {
    routes({ 'GET /api/posts/4/comments': [200, { items: [{ ...comment(9), my_reaction: 'like' }], next: null }] });
    const post = { id: 4, comments_count: 1 };
    const thread = new CommentThread(post);
    thread.receive(comment(10)); // not loaded: the load brings it
    expect(thread.shown).toEqual([]);
    await thread.load();
    thread.receive(comment(11, 'Live'));
    thread.receive(comment(11, 'Live'));
    expect(bodies(thread)).toEqual(['c9', 'Live']);
    expect(thread.count).toBe(1);
    thread.replace({ ...comment(9, 'Edited live'), reactions: { wow: 1 } }); // no my_reaction
    expect(thread.find(9)).toMatchObject({ body: 'Edited live', reactions: { wow: 1 }, my_reaction: 'like' });
    thread.counts(9, { wow: 2 });
    expect(thread.find(9).reactions).toEqual({ wow: 2 });
    thread.drop(11);
    expect(bodies(thread)).toEqual(['Edited live']);
  });

  it('does not count its own comment again when a live count came in meanwhile', async () => {
    let answer;
    const created = new Promise((resolve) => (answer = resolve));
    vi.stubGlobal('fetch', vi.fn(() => created));
    const post = { id: 4, comments_count: 1 };
    const thread = new CommentThread(post);
    const sending = thread.send(new FormData());
    post.comments_count = 2; // post.counts for this very comment, before the answer
    markLive(post);
    answer(Response.json({ comment: comment(12) }, { status: 201 }));
    await sending;
    expect(post.comments_count).toBe(2);
  });
});

describe('mergeInto', () => {
  it('copies fresh fields in place but keeps my reaction when the fresh copy has none', () => {
    const item = { id: 1, body: 'a', my_reaction: 'sad' };
    expect(mergeInto(item, { id: 1, body: 'b', edited_at: 'now' })).toBe(item);
    expect(item).toEqual({ id: 1, body: 'b', edited_at: 'now', my_reaction: 'sad' });
    mergeInto(item, { my_reaction: null });
    expect(item.my_reaction).toBeNull();
  });
});
