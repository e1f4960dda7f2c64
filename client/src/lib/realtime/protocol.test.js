import { describe, expect, it } from 'vitest';
import { CLIENT, parseServerFrame, pingFrame, SERVER, watchFrame } from './protocol.js';

const POST = { id: 4, author: { id: 1 }, body: 'Hi', reactions: { like: 2 }, comments_count: 1 };
const COMMENT = { id: 9, post_id: 4, author: { id: 2 }, body: 'Yo', reactions: {} };
const NOTIFICATION = {
  type: 'notification',
  notification: { id: 9, kind: 'follow_request', actor: { id: 2 }, subject: { request_id: 4 } },
  unread_count: 1
};

describe('parseServerFrame', () => {
  it('returns every well-formed frame of API.md (and chat.read and event.response, beyond it)', () => {
    const frames = [
      { type: 'pong' },
      NOTIFICATION,
      { type: 'chat.ack', client_msg_id: 'u-1', message: { id: 3 } },
      { type: 'chat.error', client_msg_id: 'u-1', code: 'chat_not_allowed' },
      { type: 'chat.message', message: { id: 3, body: 'hi' } },
      { type: 'chat.typing', conversation: { kind: 'direct', id: 2 }, user: { id: 2 } },
      { type: 'chat.read', conversation: { kind: 'direct', id: 2 }, up_to: 3 },
      {
        type: 'event.response',
        event: { id: 5, group_id: 7, going_count: 1, not_going_count: 0 },
        user_id: 2,
        response: 'going'
      },
      { type: 'presence', user_id: 2, online: true },
      { type: 'post.new', feed: 'home', post: POST },
      { type: 'post.edited', post: POST },
      { type: 'post.deleted', post_id: 4 },
      { type: 'post.counts', post_id: 4, comments_count: 0, reactions: { haha: 1 } },
      { type: 'comment.new', comment: COMMENT },
      { type: 'comment.edited', comment: COMMENT },
      { type: 'comment.deleted', post_id: 4, comment_id: 9 },
      { type: 'comment.counts', comment_id: 9, reactions: {} },
      { type: 'error', code: 'bad_frame' }
    ];
    for (const frame of frames) expect(parseServerFrame(JSON.stringify(frame))).toEqual(frame);
    expect(new Set(frames.map((f) => f.type))).toEqual(new Set(Object.values(SERVER)));
  });

  it('returns null for junk', () => {
    const junk = [
      undefined,
      42,
      '',
      'not json',
      '{"type": "notification"',
      'null',
      '[1, 2]',
      '"pong"',
      '{}',
      '{"type": 5}',
      '{"type": "something.new"}',
      '{"type": "__proto__"}',
      '{"type": "toString"}',
      JSON.stringify({ ...NOTIFICATION, unread_count: -1 }),
      JSON.stringify({ ...NOTIFICATION, notification: { id: 'x', kind: 'follow_request' } }),
      JSON.stringify({ type: 'presence', user_id: 2, online: 'yes' }),
      JSON.stringify({ type: 'chat.message', message: null }),
      JSON.stringify({ type: 'post.new', post: POST }),
      JSON.stringify({ type: 'post.edited', post: { id: 4 } }),
      JSON.stringify({ type: 'post.deleted', post_id: '4' }),
      JSON.stringify({ type: 'post.counts', post_id: 4, comments_count: 1, reactions: { like: -1 } }),
      JSON.stringify({ type: 'post.counts', post_id: 4, reactions: {} }),
      JSON.stringify({ type: 'comment.new', comment: { id: 9 } }),
      JSON.stringify({ type: 'comment.deleted', comment_id: 9 }),
      JSON.stringify({ type: 'comment.counts', comment_id: 9, reactions: null })
    ];
    for (const text of junk) expect(parseServerFrame(text), String(text)).toBeNull();
  });

  it('keeps fields it does not know', () => {
    const frame = { ...NOTIFICATION, extra: { new: true } };
    expect(parseServerFrame(JSON.stringify(frame))).toEqual(frame);
  });
});

describe('client frames', () => {
  it('builds a ping', () => {
    expect(pingFrame()).toEqual({ type: CLIENT.PING });
    expect(CLIENT.PING).toBe('ping');
  });

  it('builds a watch frame as API.md names it', () => {
    expect(watchFrame({ feeds: ['home'], posts: [4, 5] })).toEqual({
      type: 'watch',
      feeds: ['home'],
      posts: [4, 5]
    });
  });
});
