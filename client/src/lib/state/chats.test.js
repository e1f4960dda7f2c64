import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  chats,
  loadConversations,
  loadEarlier,
  loadThread,
  markRead,
  openConversation,
  retry,
  sendMessage,
  sendTyping,
  startChats,
  threadOf,
  TYPING_TTL_MS,
  typingUsers,
  unreadTotal
} from './chats.svelte.js';
import { session } from './session.svelte.js';

const card = (id, first_name) => ({ id, first_name, last_name: 'Tester', nickname: null, avatar_url: null });
const ALICE = card(1, 'Alice');
const BOB = card(2, 'Bob');
const WITH_BOB = { kind: 'direct', id: 2 };
const ROOM = { kind: 'group', id: 7 };

/** A message as Alice (user 1) reads it. */
const msg = (id, { from = BOB, conversation = WITH_BOB, body = `m${id}`, client_msg_id = null } = {}) => ({
  id,
  conversation,
  sender: from,
  body,
  created_at: '2025-01-01T10:00:00.000Z',
  client_msg_id
});

/** A socket the test emits on and that records what is sent; `connected` decides send(). */
function fakeSocket() {
  const listeners = new Map();
  return {
    connected: true,
    sent: [],
    subscribe(type, fn) {
      listeners.set(type, fn);
      return () => listeners.delete(type);
    },
    send(frame) {
      if (!this.connected) return false;
      this.sent.push(frame);
      return true;
    },
    emit(frame) {
      listeners.get(frame.type)?.(frame);
    }
  };
}

/** fetch answering `METHOD path` from a table; a function answer gets the request body. */
function routes(table) {
  const fetch = vi.fn(async (path, init) => {
    const key = `${init?.method ?? 'GET'} ${path}`;
    let answer = table[key] ?? [404, { error: { code: 'not_found', message: 'No.' } }];
    if (typeof answer === 'function') answer = answer(init?.body && JSON.parse(init.body));
    const [status, body] = answer;
    return status === 204 ? new Response(null, { status }) : Response.json(body, { status });
  });
  vi.stubGlobal('fetch', fetch);
  return fetch;
}
const calls = (fetch) => fetch.mock.calls.map(([path, init]) => `${init?.method ?? 'GET'} ${path}`);

const BOB_CHAT = { kind: 'direct', id: 2, peer: BOB, last_message: msg(3), unread_count: 2 };
const ROOM_CHAT = { kind: 'group', id: 7, group: { id: 7, title: 'Climbers' }, last_message: null, unread_count: 0 };
const BASE = {
  'GET /api/chats': [200, { items: [BOB_CHAT, ROOM_CHAT], next: null }],
  'GET /api/chats/direct/2/messages?limit=30': [200, { items: [msg(3), msg(2)], next: null }]
};

let socket;
let stop;
let visible;
async function start(table = BASE) {
  const fetch = routes(table);
  socket = fakeSocket();
  visible = true;
  stop = startChats(socket, { isVisible: () => visible });
  await vi.waitFor(() => expect(chats.loaded).toBe(true));
  return fetch;
}
const ids = (conversation) => threadOf(conversation).messages.map((m) => m.id);

beforeEach(() => {
  session.user = ALICE;
  stop = null;
});
afterEach(() => {
  stop?.();
  vi.useRealTimers();
});

describe('the outbox', () => {
  it('shows a message as sending, and the ack replaces it by the stored one', async () => {
    await start();
    await loadThread(WITH_BOB);
    expect(sendMessage(WITH_BOB, '  hi 😀  ')).toBeNull();
    const [pending] = threadOf(WITH_BOB).outbox;
    expect(pending).toMatchObject({ body: 'hi 😀', status: 'sending' });
    expect(socket.sent).toEqual([
      { type: 'chat.send', to: { user: 2 }, body: 'hi 😀', client_msg_id: pending.client_msg_id }
    ]);

    const stored = msg(9, { from: ALICE, body: 'hi 😀', client_msg_id: pending.client_msg_id });
    socket.emit({ type: 'chat.ack', client_msg_id: pending.client_msg_id, message: stored });
    expect(threadOf(WITH_BOB).outbox).toEqual([]);
    expect(ids(WITH_BOB)).toEqual([2, 3, 9]);
    expect(chats.conversations[0].last_message.id).toBe(9);
  });

  it('refuses empty and over-long text without sending', async () => {
    await start();
    expect(sendMessage(WITH_BOB, '   ')).toMatch(/1 to 2,000/);
    expect(sendMessage(WITH_BOB, '😀'.repeat(2001))).toMatch(/1 to 2,000/);
    expect(sendMessage(WITH_BOB, '😀'.repeat(2000))).toBeNull();
  });

  it('marks a refused message failed with the reason, and no conversation appears', async () => {
    await start({ ...BASE, 'GET /api/chats': [200, { items: [], next: null }] });
    const dan = { kind: 'direct', id: 4 };
    sendMessage(dan, 'hello');
    const [pending] = threadOf(dan).outbox;
    socket.emit({ type: 'chat.error', client_msg_id: pending.client_msg_id, code: 'chat_not_allowed' });
    expect(threadOf(dan).outbox[0]).toMatchObject({
      status: 'failed',
      error: 'You can only message people you follow or who follow you.'
    });
    expect(chats.conversations).toEqual([]);

    retry(threadOf(dan).outbox[0]);
    expect(threadOf(dan).outbox[0].status).toBe('sending');
    expect(socket.sent.at(-1).client_msg_id).toBe(pending.client_msg_id);
  });

  it('says so when a message was refused for sending too fast, and it can be sent again', async () => {
    await start();
    sendMessage(WITH_BOB, 'one too many');
    const [pending] = threadOf(WITH_BOB).outbox;
    socket.emit({ type: 'chat.error', client_msg_id: pending.client_msg_id, code: 'rate_limited' });
    expect(threadOf(WITH_BOB).outbox[0]).toMatchObject({ status: 'failed', retryable: false });
    expect(threadOf(WITH_BOB).outbox[0].error).toMatch(/too fast/);
    retry(threadOf(WITH_BOB).outbox[0]);
    expect(socket.sent.at(-1).client_msg_id).toBe(pending.client_msg_id);
  });

  it('resends what was not acknowledged after a reconnect, with the same client_msg_id', async () => {
    await start();
    sendMessage(WITH_BOB, 'lost in the drop');
    const { client_msg_id } = threadOf(WITH_BOB).outbox[0];
    socket.sent = [];
    socket.emit({ type: 'reconnected' });
    expect(socket.sent).toEqual([
      { type: 'chat.send', to: { user: 2 }, body: 'lost in the drop', client_msg_id }
    ]);
  });

  it('falls back to HTTP without a socket, and resends after a network error', async () => {
    const fetch = await start({
      ...BASE,
      'POST /api/chats/direct/2/messages': (body) => [
        201,
        { message: msg(10, { from: ALICE, body: body.body, client_msg_id: body.client_msg_id }) }
      ]
    });
    fetch.mockRejectedValueOnce(new TypeError('offline'));
    socket.connected = false;
    sendMessage(WITH_BOB, 'over http');
    await vi.waitFor(() => expect(threadOf(WITH_BOB).outbox[0].status).toBe('failed'));
    expect(threadOf(WITH_BOB).outbox[0].error).toMatch(/No connection/);

    socket.emit({ type: 'reconnected' }); // still no socket: HTTP again
    await vi.waitFor(() => expect(threadOf(WITH_BOB).outbox).toEqual([]));
    const posts = fetch.mock.calls.filter(([, init]) => init?.method === 'POST');
    const sentIds = posts.map(([, init]) => JSON.parse(init.body).client_msg_id);
    expect(new Set(sentIds).size).toBe(1);
    expect(ids(WITH_BOB)).toContain(10);
  });
});

describe('threads', () => {
  it('loads the newest page oldest first, and earlier pages before it', async () => {
    await start({
      ...BASE,
      'GET /api/chats/direct/2/messages?limit=30': [200, { items: [msg(5), msg(4)], next: 4 }],
      'GET /api/chats/direct/2/messages?before=4&limit=30': [200, { items: [msg(3), msg(2)], next: null }]
    });
    await loadThread(WITH_BOB);
    expect(ids(WITH_BOB)).toEqual([4, 5]);
    await loadEarlier(WITH_BOB);
    expect(ids(WITH_BOB)).toEqual([2, 3, 4, 5]);
    expect(threadOf(WITH_BOB).next).toBeNull();
  });

  it('catches up after a reconnect without showing a message twice', async () => {
    let page = [msg(3), msg(2)];
    const fetch = await start({
      ...BASE,
      'GET /api/chats/direct/2/messages?limit=30': () => [200, { items: page, next: null }]
    });
    const close = openConversation(WITH_BOB);
    await loadThread(WITH_BOB);
    socket.emit({ type: 'chat.message', message: msg(4) });
    socket.emit({ type: 'chat.message', message: msg(4) });
    expect(ids(WITH_BOB)).toEqual([2, 3, 4]);

    page = [msg(6), msg(5), msg(4), msg(3)]; // 5 and 6 arrived while the socket was down
    socket.emit({ type: 'reconnected' });
    await vi.waitFor(() => expect(ids(WITH_BOB)).toEqual([2, 3, 4, 5, 6]));
    expect(calls(fetch).filter((c) => c === 'GET /api/chats')).toHaveLength(2);
    close();
  });

  it('restarts paging when more was missed than a page holds', async () => {
    let answer = { items: [msg(3), msg(2)], next: null };
    await start({ ...BASE, 'GET /api/chats/direct/2/messages?limit=30': () => [200, answer] });
    const close = openConversation(WITH_BOB);
    await loadThread(WITH_BOB);
    answer = { items: [msg(60), msg(59)], next: 59 };
    socket.emit({ type: 'reconnected' });
    await vi.waitFor(() => expect(ids(WITH_BOB)).toEqual([59, 60]));
    expect(threadOf(WITH_BOB).next).toBe(59);
    close();
  });
});

describe('unread counts', () => {
  it('counts incoming messages in closed conversations, not my own', async () => {
    await start();
    expect(unreadTotal()).toBe(2);
    socket.emit({ type: 'chat.message', message: msg(4) });
    socket.emit({ type: 'chat.message', message: msg(11, { conversation: ROOM, from: card(3, 'Carol') }) });
    socket.emit({ type: 'chat.message', message: msg(12, { conversation: ROOM, from: ALICE }) });
    expect(unreadTotal()).toBe(4);
    expect(chats.conversations.map((c) => c.id)).toEqual([7, 2]);
    expect(socket.sent).toEqual([]);
  });

  it('clears a count that another tab read, unless newer messages came since', async () => {
    await start();
    socket.emit({ type: 'chat.message', message: msg(11, { conversation: ROOM, from: card(3, 'Carol') }) });
    expect(unreadTotal()).toBe(3);
    socket.emit({ type: 'chat.read', conversation: { kind: 'direct', id: 2 }, up_to: 3 });
    expect(unreadTotal()).toBe(1);
    socket.emit({ type: 'chat.read', conversation: { kind: 'group', id: 7 }, up_to: 10 });
    expect(unreadTotal()).toBe(1); // message 11 came after what the other tab read
    expect(socket.sent).toEqual([]);
  });

  it('reads at once in the open conversation of a visible tab, over the socket', async () => {
    await start();
    const close = openConversation(WITH_BOB);
    await loadThread(WITH_BOB);
    markRead(WITH_BOB);
    expect(unreadTotal()).toBe(0);
    expect(socket.sent).toEqual([{ type: 'chat.read', conversation: WITH_BOB, up_to: 3 }]);

    socket.emit({ type: 'chat.message', message: msg(4) });
    expect(unreadTotal()).toBe(0);
    expect(socket.sent.at(-1)).toEqual({ type: 'chat.read', conversation: WITH_BOB, up_to: 4 });

    visible = false; // another tab in front: it stays unread
    socket.emit({ type: 'chat.message', message: msg(5) });
    expect(unreadTotal()).toBe(1);
    close();
  });

  it('keeps the open conversation read when a list answer from before the read arrives', async () => {
    const fetch = await start();
    const close = openConversation(WITH_BOB);
    await loadThread(WITH_BOB);
    markRead(WITH_BOB);
    expect(unreadTotal()).toBe(0);
    await loadConversations(); // the server still says 2
    expect(unreadTotal()).toBe(0);
    expect(socket.sent.filter((f) => f.type === 'chat.read')).toHaveLength(2);
    expect(calls(fetch).filter((c) => c === 'GET /api/chats')).toHaveLength(2);
    close();
  });

  it('marks read over HTTP without a socket', async () => {
    const fetch = await start({ ...BASE, 'POST /api/chats/direct/2/read': [204] });
    socket.connected = false;
    markRead(WITH_BOB);
    await vi.waitFor(() => expect(calls(fetch)).toContain('POST /api/chats/direct/2/read'));
    const [, init] = fetch.mock.calls.find(([path]) => path === '/api/chats/direct/2/read');
    expect(JSON.parse(init.body)).toEqual({ up_to: 3 });
  });

  it('adds a conversation that a new person starts', async () => {
    await start();
    const dan = card(4, 'Dan');
    socket.emit({ type: 'chat.message', message: msg(20, { from: dan, conversation: { kind: 'direct', id: 4 } }) });
    expect(chats.conversations[0]).toMatchObject({ kind: 'direct', id: 4, peer: dan, unread_count: 1 });
  });
});

describe('typing and presence', () => {
  it('shows who is typing until a few seconds pass without news', async () => {
    await start();
    vi.useFakeTimers();
    socket.emit({ type: 'chat.typing', conversation: WITH_BOB, user: BOB });
    socket.emit({ type: 'chat.typing', conversation: WITH_BOB, user: ALICE }); // my other tab
    expect(typingUsers(WITH_BOB)).toEqual([BOB]);
    vi.advanceTimersByTime(TYPING_TTL_MS - 1000);
    socket.emit({ type: 'chat.typing', conversation: WITH_BOB, user: BOB });
    vi.advanceTimersByTime(TYPING_TTL_MS - 1000);
    expect(typingUsers(WITH_BOB)).toEqual([BOB]);
    vi.advanceTimersByTime(1000);
    expect(typingUsers(WITH_BOB)).toEqual([]);
  });

  it('clears the typing line when the message arrives', async () => {
    await start();
    socket.emit({ type: 'chat.typing', conversation: WITH_BOB, user: BOB });
    socket.emit({ type: 'chat.message', message: msg(4) });
    expect(typingUsers(WITH_BOB)).toEqual([]);
  });

  it('sends typing at most every two seconds per conversation', async () => {
    await start();
    sendTyping(WITH_BOB, 1000);
    sendTyping(WITH_BOB, 2500);
    sendTyping(ROOM, 2500);
    sendTyping(WITH_BOB, 3000);
    expect(socket.sent).toEqual([
      { type: 'chat.typing', to: { user: 2 } },
      { type: 'chat.typing', to: { group: 7 } },
      { type: 'chat.typing', to: { user: 2 } }
    ]);
  });

  it('tracks presence, and forgets it on reconnect for the fresh snapshot', async () => {
    await start();
    socket.emit({ type: 'presence', user_id: 2, online: true });
    socket.emit({ type: 'presence', user_id: 3, online: true });
    socket.emit({ type: 'presence', user_id: 3, online: false });
    expect(chats.presence).toEqual({ 2: true });
    socket.emit({ type: 'reconnected' });
    expect(chats.presence).toEqual({});
  });
});
