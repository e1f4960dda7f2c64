import { describe, expect, it } from 'vitest';
import { CLIENT, parseServerFrame, pingFrame, SERVER, watchFrame } from './protocol.js';

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
      { type: 'post.new', feed: 'home', post: { id: 8, reactions: {} } },
      { type: 'post.edited', post: { id: 8, body: 'edited' } },
      { type: 'post.deleted', post_id: 8 },
      { type: 'post.counts', post_id: 8, comments_count: 2, reactions: { like: 3 } },
      { type: 'comment.new', comment: { id: 4, post_id: 8 } },
      { type: 'comment.edited', comment: { id: 4, post_id: 8 } },
      { type: 'comment.deleted', post_id: 8, comment_id: 4 },
      { type: 'comment.counts', comment_id: 4, reactions: {} },
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
      JSON.stringify({ type: 'post.new', post: { id: 8 } }),
      JSON.stringify({ type: 'post.counts', post_id: 8, comments_count: -1, reactions: {} }),
      JSON.stringify({ type: 'comment.counts', comment_id: 4, reactions: { like: 'many' } }),
      JSON.stringify({ type: 'comment.new', comment: { id: 4 } })
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

  it('builds a watch', () => {
    expect(watchFrame(['home'], [3])).toEqual({ type: 'watch', feeds: ['home'], posts: [3] });
    expect(watchFrame()).toEqual({ type: 'watch', feeds: [], posts: [] });
  });
});
