// The WebSocket frames of API.md ("WebSocket /ws"), mirrored one to one from
// server/realtime/protocol.py (tests/realtime/test_protocol_mirror.py keeps the two equal).
// One JSON object per text frame, each with a `type`.

/** Frames the client sends. */
export const CLIENT = Object.freeze({
  CHAT_SEND: 'chat.send',
  CHAT_TYPING: 'chat.typing',
  CHAT_READ: 'chat.read',
  PING: 'ping',
  /** What the tab shows: `{feeds: ['home' | 'explore' | 'user:<id>' | 'group:<id>'], posts: [id]}`
   * (at most 10 feeds and 500 posts); each frame replaces the previous set. */
  WATCH: 'watch'
});

/** Frames the server sends. */
export const SERVER = Object.freeze({
  PONG: 'pong',
  CHAT_ACK: 'chat.ack',
  CHAT_ERROR: 'chat.error',
  CHAT_MESSAGE: 'chat.message',
  CHAT_TYPING: 'chat.typing',
  /** Beyond API.md: my read marker moved in another tab (or over HTTP). */
  CHAT_READ: 'chat.read',
  /** Beyond API.md: a member of one of my groups answered an event; its counts now. */
  EVENT_RESPONSE: 'event.response',
  NOTIFICATION: 'notification',
  PRESENCE: 'presence',
  /** A new post in a watched feed (`feed` says which); `my_reaction` is absent in live frames. */
  POST_NEW: 'post.new',
  POST_EDITED: 'post.edited',
  /** A watched post was deleted, or an edit took it out of this user's sight. */
  POST_DELETED: 'post.deleted',
  POST_COUNTS: 'post.counts',
  COMMENT_NEW: 'comment.new',
  COMMENT_EDITED: 'comment.edited',
  COMMENT_DELETED: 'comment.deleted',
  COMMENT_COUNTS: 'comment.counts',
  ERROR: 'error'
});

/** Close codes the server uses (server/realtime/protocol.py). */
export const CLOSE = Object.freeze({
  NORMAL: 1000,
  /** The server is shutting down: reconnect (to another one) and catch up. */
  GOING_AWAY: 1001,
  UNSUPPORTED_DATA: 1003,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  /** The server lost its bus and may have missed events for this socket: reconnect, catch up. */
  SERVICE_RESTART: 1012,
  /** The server could not keep up and may have dropped events: reconnect, catch up. */
  TRY_AGAIN_LATER: 1013,
  /** The session ended (logout, here or in another tab). */
  SESSION_ENDED: 4001,
  /** The client fell too far behind; it reconnects and catches up. */
  TOO_SLOW: 4008
});

/**
 * Not a frame: the socket emits it when the server closes with CLOSE.SESSION_ENDED, and when
 * a connection attempt is refused before it opens (as the upgrade of an ended session is), so
 * the app can check whether the session is gone (and then stop) or still valid (and reconnect).
 */
export const SESSION_ENDED = 'session_ended';

/**
 * Not a frame: the socket emits it after every reconnect (never the first connect), so that
 * state modules refetch what was sent while the socket was down.
 */
export const RECONNECTED = 'reconnected';

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
const isId = (value) => Number.isInteger(value) && value > 0;
const isString = (value) => typeof value === 'string';
const isCount = (value) => Number.isInteger(value) && value >= 0;
const isReactions = (value) => isObject(value) && Object.values(value).every(isCount);
const isPost = (value) => isObject(value) && isId(value.id);
const isComment = (value) => isObject(value) && isId(value.id) && isId(value.post_id);

// The least each type must carry for a listener to use it safely; extra fields pass through.
const VALID = {
  [SERVER.PONG]: () => true,
  [SERVER.CHAT_ACK]: (f) => isString(f.client_msg_id) && isObject(f.message) && isId(f.message.id),
  [SERVER.CHAT_ERROR]: (f) => isString(f.code),
  [SERVER.CHAT_MESSAGE]: (f) => isObject(f.message) && isId(f.message.id),
  [SERVER.CHAT_TYPING]: (f) => isObject(f.conversation) && isObject(f.user),
  [SERVER.CHAT_READ]: (f) =>
    isObject(f.conversation) && isId(f.conversation.id) && isString(f.conversation.kind) && isId(f.up_to),
  [SERVER.NOTIFICATION]: (f) =>
    isObject(f.notification) &&
    isId(f.notification.id) &&
    isString(f.notification.kind) &&
    Number.isInteger(f.unread_count) &&
    f.unread_count >= 0,
  [SERVER.EVENT_RESPONSE]: (f) =>
    isObject(f.event) &&
    isId(f.event.id) &&
    isId(f.event.group_id) &&
    Number.isInteger(f.event.going_count) &&
    Number.isInteger(f.event.not_going_count) &&
    isId(f.user_id) &&
    isString(f.response),
  [SERVER.PRESENCE]: (f) => isId(f.user_id) && typeof f.online === 'boolean',
  [SERVER.POST_NEW]: (f) => isString(f.feed) && isPost(f.post),
  [SERVER.POST_EDITED]: (f) => isPost(f.post),
  [SERVER.POST_DELETED]: (f) => isId(f.post_id),
  [SERVER.POST_COUNTS]: (f) => isId(f.post_id) && isCount(f.comments_count) && isReactions(f.reactions),
  [SERVER.COMMENT_NEW]: (f) => isComment(f.comment),
  [SERVER.COMMENT_EDITED]: (f) => isComment(f.comment),
  [SERVER.COMMENT_DELETED]: (f) => isId(f.post_id) && isId(f.comment_id),
  [SERVER.COMMENT_COUNTS]: (f) => isId(f.comment_id) && isReactions(f.reactions),
  [SERVER.ERROR]: (f) => isString(f.code)
};

/**
 * The frame in a text message from the server, or null for anything unusable: not JSON,
 * not an object, an unknown type or a known type missing what it must carry.
 * @param {unknown} text
 */
export function parseServerFrame(text) {
  if (typeof text !== 'string') return null;
  let frame;
  try {
    frame = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(frame) || !Object.hasOwn(VALID, frame.type)) return null;
  return VALID[frame.type](frame) ? frame : null;
}

export const pingFrame = () => ({ type: CLIENT.PING });

/**
 * @param {string[]} feeds
 * @param {number[]} posts
 */
export const watchFrame = (feeds = [], posts = []) => ({ type: CLIENT.WATCH, feeds, posts });
