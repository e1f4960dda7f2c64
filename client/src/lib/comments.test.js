import { describe, expect, it, vi } from 'vitest';
import { CommentThread } from './comments.svelte.js';

const comment = (id, body = `c${id}`) => ({ id, post_id: 4, body, image_url: null, author: { id: 1 }, created_at: '2025-01-01T10:00:00Z' });

/** Answer each path with [status, body]; records the calls. */
function routes(table) {
  const fetch = vi.fn(async (path, init) => {
    const [status, body] = table[`${init?.method ?? 'GET'} ${path}`] ?? [404, { error: { code: 'not_found', message: 'No.' } }];
    return Response.json(body, { status });
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
    const thread = new CommentThread(4, 3);
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
    const thread = new CommentThread(4, 1);
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
    const thread = new CommentThread(4, 0);
    const err = await thread.send(new FormData()).catch((e) => e);
    expect(err.fields.body).toBe('write something or add an image');
    expect(thread.count).toBe(0);
    expect(thread.shown).toEqual([]);
  });
});
