// Chat for the logged-in user: the conversations (with unread counts), one thread per opened
// conversation (history paging), the outbox of messages not yet acknowledged, and who is
// online or typing. Live over the socket; caught up over HTTP after every reconnect.
import { getChatMessages, getChats, markChatRead, postChatMessage } from '$lib/api.js';
import { codePointLength } from '$lib/emoji.js';
import { CLIENT, RECONNECTED, SERVER } from '$lib/realtime/protocol.js';
import { session } from '$lib/state/session.svelte.js';

export const PAGE_SIZE = 30;
export const MAX_LENGTH = 2000;
/** A typing indicator without a fresh frame disappears after this long (the server sends one per 2 s). */
export const TYPING_TTL_MS = 4000;
/** We tell others we are typing at most this often per conversation. */
export const TYPING_SEND_INTERVAL_MS = 2000;

const REASONS = {
  chat_not_allowed: 'You can only message people you follow or who follow you.',
  group_not_allowed: 'Only members of this group can write here.',
  validation_error: 'A message is 1 to 2,000 characters.',
  not_found: 'This conversation no longer exists.',
  rate_limited: 'You are sending messages too fast. Wait a moment, then try again.',
  network_error: 'No connection. It will be sent when you are back online.'
};

/** Answers that the same message will get again, however often it is sent. */
const REFUSALS = new Set(['chat_not_allowed', 'validation_error', 'not_found']);

/** Why a message was not sent, for people. */
export function reasonFor(code, conversation) {
  if (code === 'chat_not_allowed' && conversation?.kind === 'group') return REASONS.group_not_allowed;
  return REASONS[code] ?? 'Something went wrong. Try again.';
}

export const chats = $state({
  /** `/api/chats` items, most recent first. */
  conversations: [],
  loaded: false,
  loading: false,
  error: null,
  /** key → {conversation, messages (oldest → newest), outbox, next, loading, loaded, stale, error, peer} */
  threads: {},
  /** user id → true while online */
  presence: {},
  /** key → {user id → user card} of people typing there */
  typing: {}
});

export const keyOf = ({ kind, id }) => `${kind}:${id}`;
const targetOf = ({ kind, id }) => (kind === 'group' ? { group: id } : { user: id });
const myId = () => session.user?.id ?? null;
const byRecency = (a, b) => (b.last_message?.id ?? 0) - (a.last_message?.id ?? 0);

let socket = null;
let isVisible = () => true;
let generation = 0; // bumped at logout, so answers for the previous user are dropped
let bumps = 0; // counts live changes to the list, so a reload does not undo newer ones
const bumpedAt = new Map(); // key → `bumps` when last changed live
const openCounts = new Map(); // key → how many ChatThreads show it
const readUpTo = new Map(); // key → the last message id we marked read
const typingTimers = new Map(); // `${key}|${userId}` → timeout
const typingSentAt = new Map(); // key → ms
let refreshTimer = null;

export const conversationOf = (key) => chats.conversations.find((c) => keyOf(c) === key);
export const unreadTotal = () => chats.conversations.reduce((n, c) => n + (c.unread_count || 0), 0);
export const isOnline = (userId) => Boolean(chats.presence[userId]);
export const typingUsers = (conversation) => Object.values(chats.typing[keyOf(conversation)] ?? {});

// ---- Conversations -------------------------------------------------------------------------

/** Load the list (at login, when /messages opens, after a reconnect). */
export async function loadConversations() {
  const mine = generation;
  const since = bumps;
  chats.loading = true;
  chats.error = null;
  try {
    const { items } = await getChats();
    if (mine !== generation) return;
    const fresh = new Set(items.map(keyOf));
    const merged = items.map((item) => {
      const local = conversationOf(keyOf(item));
      // A live message newer than the answer: keep what we know.
      if (local && (bumpedAt.get(keyOf(item)) ?? 0) > since && byRecency(item, local) > 0) return local;
      return item;
    });
    const liveOnly = chats.conversations.filter(
      (c) => !fresh.has(keyOf(c)) && (bumpedAt.get(keyOf(c)) ?? 0) > since
    );
    chats.conversations = [...liveOnly, ...merged].sort(byRecency);
    chats.loaded = true;
    // An answer that left before our read marker arrived: what is on screen stays read.
    for (const item of chats.conversations) {
      if (item.unread_count > 0 && isShown(keyOf(item)) && chats.threads[keyOf(item)]?.loaded) {
        markRead(item);
      }
    }
  } catch (err) {
    if (mine === generation) chats.error = err;
  } finally {
    if (mine === generation) chats.loading = false;
  }
}

/** A list changed by a frame we cannot fully describe (a new group's title): reload it soon. */
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(loadConversations, 300);
}

/** A message joined its conversation: it becomes the last one and the list is re-ordered. */
function bumpConversation(message, { own }) {
  const key = keyOf(message.conversation);
  let conversation = conversationOf(key);
  const isNew = !conversation?.last_message || conversation.last_message.id < message.id;
  if (!isNew) return;
  bumpedAt.set(key, ++bumps);
  if (!conversation) {
    const { kind, id } = message.conversation;
    const peer = kind === 'direct' ? (own ? chats.threads[key]?.peer : message.sender) : undefined;
    const item = { kind, id, last_message: message, unread_count: 0 };
    if (kind === 'direct') item.peer = peer ?? null;
    else item.group = { id, title: null };
    if (!peer) scheduleRefresh();
    chats.conversations.unshift(item);
    conversation = conversationOf(key);
  } else {
    conversation.last_message = message;
  }
  chats.conversations.sort(byRecency);
  if (own) return;
  if (isShown(key)) markRead(message.conversation);
  else conversation.unread_count += 1;
}

// ---- Threads ------------------------------------------------------------------------------

/** The thread of `conversation`, created empty when first asked for. */
export function threadOf(conversation, { peer } = {}) {
  const key = keyOf(conversation);
  if (!chats.threads[key]) {
    chats.threads[key] = {
      conversation: { kind: conversation.kind, id: conversation.id },
      messages: [],
      outbox: [],
      next: null,
      loading: false,
      loaded: false,
      stale: false,
      error: null,
      peer: null
    };
  }
  if (peer) chats.threads[key].peer = peer;
  return chats.threads[key];
}

/** Load (or catch up on) the newest page of a conversation. */
export async function loadThread(conversation) {
  const mine = generation;
  const thread = threadOf(conversation);
  thread.loading = true;
  thread.error = null;
  try {
    const page = await getChatMessages(conversation, { limit: PAGE_SIZE });
    if (mine !== generation) return;
    mergeNewest(thread, page);
    thread.loaded = true;
    thread.stale = false;
  } catch (err) {
    if (mine === generation) thread.error = err;
  } finally {
    if (mine === generation) thread.loading = false;
  }
}

/** Prepend the next older page. */
export async function loadEarlier(conversation) {
  const mine = generation;
  const thread = threadOf(conversation);
  if (thread.next === null || thread.loading) return;
  thread.loading = true;
  thread.error = null;
  try {
    const page = await getChatMessages(conversation, { before: thread.next, limit: PAGE_SIZE });
    if (mine !== generation) return;
    for (const message of page.items) insertMessage(thread, message);
    thread.next = page.next;
  } catch (err) {
    if (mine === generation) thread.error = err;
  } finally {
    if (mine === generation) thread.loading = false;
  }
}

/**
 * Put a fresh newest page in place. Messages already shown stay when the page joins them; when
 * it does not (more was missed than a page holds), the older ones go and paging restarts there.
 */
function mergeNewest(thread, page) {
  const oldestFresh = page.items.at(-1)?.id ?? 0;
  const joined =
    thread.loaded && (page.next === null || thread.messages.some((m) => m.id >= oldestFresh));
  if (!joined) {
    thread.messages = thread.messages.filter((m) => m.id > oldestFresh);
    thread.next = page.next;
  }
  for (const message of page.items) insertMessage(thread, message);
}

/** Add a stored message in id order, once; it settles an outbox entry of the same client id. */
function insertMessage(thread, message) {
  const { messages, outbox } = thread;
  if (message.client_msg_id && message.sender?.id === myId()) {
    const index = outbox.findIndex((m) => m.client_msg_id === message.client_msg_id);
    if (index !== -1) outbox.splice(index, 1);
  }
  let at = messages.length;
  while (at > 0 && messages[at - 1].id >= message.id) {
    if (messages[at - 1].id === message.id) return false;
    at -= 1;
  }
  messages.splice(at, 0, message);
  return true;
}

// ---- Sending ------------------------------------------------------------------------------

/**
 * Send `body` to `conversation`: shown at once as "sending", settled by the server's answer.
 * Returns an error sentence when the text cannot be sent, else null.
 */
export function sendMessage(conversation, body) {
  const text = body.trim();
  if (!text || codePointLength(text) > MAX_LENGTH) return REASONS.validation_error;
  const thread = threadOf(conversation);
  const { id, first_name, last_name, nickname, avatar_url } = session.user ?? {};
  thread.outbox.push({
    client_msg_id: crypto.randomUUID(),
    conversation: { kind: conversation.kind, id: conversation.id },
    sender: { id, first_name, last_name, nickname, avatar_url },
    body: text,
    created_at: new Date().toISOString(),
    status: 'sending',
    error: null,
    retryable: false
  });
  dispatch(thread.outbox.at(-1));
  return null;
}

/** Send (again) a message of the outbox, over the socket when it is open, else over HTTP. */
function dispatch(item) {
  item.status = 'sending';
  item.error = null;
  const { conversation, body, client_msg_id } = item;
  const frame = { type: CLIENT.CHAT_SEND, to: targetOf(conversation), body, client_msg_id };
  if (socket?.send(frame)) return;
  const mine = generation;
  postChatMessage(conversation, { body, client_msg_id }).then(
    ({ message }) => mine === generation && acknowledge(client_msg_id, message),
    (err) => mine === generation && fail(client_msg_id, err.code)
  );
}

/** Try a failed message again, with the same client id (the server stores it once). */
export function retry(item) {
  if (item.status === 'failed') dispatch(item);
}

export function discard(item) {
  const thread = chats.threads[keyOf(item.conversation)];
  const index = thread?.outbox.findIndex((m) => m.client_msg_id === item.client_msg_id) ?? -1;
  if (index !== -1) thread.outbox.splice(index, 1);
}

function findOutbox(clientMsgId) {
  for (const thread of Object.values(chats.threads)) {
    const item = thread.outbox.find((m) => m.client_msg_id === clientMsgId);
    if (item) return { thread, item };
  }
  return null;
}

function acknowledge(clientMsgId, message) {
  const found = findOutbox(clientMsgId);
  const thread = found?.thread ?? threadOf(message.conversation);
  insertMessage(thread, message);
  bumpConversation(message, { own: true });
}

function fail(clientMsgId, code) {
  const found = findOutbox(clientMsgId);
  if (!found) return;
  found.item.status = 'failed';
  found.item.error = reasonFor(code, found.item.conversation);
  // Only a lost connection is worth an automatic resend; a refusal stays refused, and is not
  // offered again by hand either.
  found.item.retryable = code === 'network_error';
  found.item.refused = REFUSALS.has(code);
}

// ---- Reading ------------------------------------------------------------------------------

/** A ChatThread shows `conversation` until the returned function is called. */
export function openConversation(conversation) {
  const key = keyOf(conversation);
  openCounts.set(key, (openCounts.get(key) ?? 0) + 1);
  return () => {
    const left = (openCounts.get(key) ?? 1) - 1;
    if (left > 0) openCounts.set(key, left);
    else openCounts.delete(key);
  };
}

/** Open on screen in a visible tab: incoming messages there are read at once. */
export const isShown = (key) => openCounts.has(key) && isVisible();

/** Mark everything received in `conversation` read (the server's marker and our count). */
export function markRead(conversation) {
  const key = keyOf(conversation);
  const item = conversationOf(key);
  const latest = Math.max(
    chats.threads[key]?.messages.at(-1)?.id ?? 0,
    item?.last_message?.id ?? 0
  );
  const unread = item?.unread_count ?? 0;
  if (item) item.unread_count = 0;
  if (!latest || (latest <= (readUpTo.get(key) ?? 0) && unread === 0)) return;
  readUpTo.set(key, latest);
  const { kind, id } = conversation;
  const frame = { type: CLIENT.CHAT_READ, conversation: { kind, id }, up_to: latest };
  if (!socket?.send(frame)) markChatRead({ kind, id }, latest).catch(() => {});
}

/** Read in another of my tabs (or over HTTP): what it covered is read here too. */
function receiveRead({ conversation, up_to }) {
  const key = keyOf(conversation);
  readUpTo.set(key, Math.max(readUpTo.get(key) ?? 0, up_to));
  const item = conversationOf(key);
  if (item && (item.last_message?.id ?? 0) <= up_to) item.unread_count = 0;
}

// ---- Typing and presence ------------------------------------------------------------------

/** Tell the others we are typing (throttled; nothing without a socket). */
export function sendTyping(conversation, now = Date.now()) {
  const key = keyOf(conversation);
  if (now - (typingSentAt.get(key) ?? -Infinity) < TYPING_SEND_INTERVAL_MS) return;
  if (socket?.send({ type: CLIENT.CHAT_TYPING, to: targetOf(conversation) })) typingSentAt.set(key, now);
}

function receiveTyping({ conversation, user }) {
  if (user.id === myId()) return;
  const key = keyOf(conversation);
  chats.typing[key] ??= {};
  chats.typing[key][user.id] = user;
  const timer = `${key}|${user.id}`;
  clearTimeout(typingTimers.get(timer));
  typingTimers.set(timer, setTimeout(() => stopTyping(key, user.id), TYPING_TTL_MS));
}

function stopTyping(key, userId) {
  clearTimeout(typingTimers.get(`${key}|${userId}`));
  typingTimers.delete(`${key}|${userId}`);
  if (chats.typing[key]) delete chats.typing[key][userId];
}

// ---- Frames and lifecycle -----------------------------------------------------------------

function receiveMessage({ message }) {
  const key = keyOf(message.conversation);
  const own = message.sender.id === myId();
  if (own && message.client_msg_id && findOutbox(message.client_msg_id)) {
    acknowledge(message.client_msg_id, message); // sent over HTTP while the socket came back
    return;
  }
  stopTyping(key, message.sender.id);
  if (chats.threads[key]) insertMessage(chats.threads[key], message);
  bumpConversation(message, { own });
}

function receivePresence({ user_id, online }) {
  if (online) chats.presence[user_id] = true;
  else delete chats.presence[user_id];
}

/** Back after a break: resend what was not acknowledged, then fetch what was missed. */
function catchUp() {
  chats.presence = {}; // the server sends a fresh snapshot
  for (const thread of Object.values(chats.threads)) {
    for (const item of thread.outbox) {
      if (item.status === 'sending' || item.retryable) dispatch(item);
    }
  }
  loadConversations();
  for (const [key, thread] of Object.entries(chats.threads)) {
    if (!thread.loaded) continue;
    if (openCounts.has(key)) loadThread(thread.conversation);
    else thread.stale = true;
  }
}

function reset() {
  generation += 1;
  clearTimeout(refreshTimer);
  typingTimers.forEach((timer) => clearTimeout(timer));
  for (const map of [bumpedAt, readUpTo, typingTimers, typingSentAt]) map.clear();
  Object.assign(chats, {
    conversations: [],
    loaded: false,
    loading: false,
    error: null,
    threads: {},
    presence: {},
    typing: {}
  });
}

/**
 * Follow the logged-in user's chats on `socket` until the returned function is called (at
 * logout), which also forgets them.
 * @param {{subscribe: Function, send: (frame: object) => boolean}} realtimeSocket
 * @param {{isVisible?: () => boolean}} [options] whether the tab is visible (tests)
 */
export function startChats(realtimeSocket, options = {}) {
  socket = realtimeSocket;
  isVisible = options.isVisible ?? (() => globalThis.document?.visibilityState !== 'hidden');
  const stops = [
    socket.subscribe(SERVER.CHAT_MESSAGE, receiveMessage),
    socket.subscribe(SERVER.CHAT_ACK, (f) => acknowledge(f.client_msg_id, f.message)),
    socket.subscribe(SERVER.CHAT_ERROR, (f) => f.client_msg_id && fail(f.client_msg_id, f.code)),
    socket.subscribe(SERVER.CHAT_TYPING, receiveTyping),
    socket.subscribe(SERVER.CHAT_READ, receiveRead),
    socket.subscribe(SERVER.PRESENCE, receivePresence),
    socket.subscribe(RECONNECTED, catchUp)
  ];
  loadConversations();
  return () => {
    stops.forEach((stop) => stop());
    socket = null;
    reset();
  };
}
