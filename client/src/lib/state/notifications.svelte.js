// The logged-in user's notifications: the unread count and the list (newest first), kept live
// by `notification` frames and caught up over HTTP after every reconnect.
import {
  answerFollowRequest,
  answerGroupInvitation,
  answerGroupJoinRequest,
  getNotifications,
  getUnreadCount,
  markAllNotificationsRead,
  markNotificationRead
} from '$lib/api.js';
import { RECONNECTED, SERVER } from '$lib/realtime/protocol.js';

export const PAGE_SIZE = 20;

export const notifications = $state({
  /** `<notification>` objects of API.md, newest first. */
  items: [],
  /** The cursor of the next older page, null at the end. */
  next: null,
  unreadCount: 0,
  loading: false,
  loaded: false,
  /** An ApiError of the last failed load, else null. */
  error: null
});

/**
 * Kinds that carry accept / decline, and how to answer each: the request's own route,
 * named by the id in the notification's subject.
 */
export const ANSWERS = {
  follow_request: (subject, action) => answerFollowRequest(subject.request_id, action),
  group_invitation: (subject, action) => answerGroupInvitation(subject.invitation_id, action),
  group_join_request: (subject, action) => answerGroupJoinRequest(subject.request_id, action)
};

const STATE_BY_ACTION = { accept: 'accepted', decline: 'declined' };

let generation = 0; // bumped by reset(), so answers for a previous user are dropped
const arrivalListeners = new Set();

/**
 * Call `fn(notification)` for each new notification that arrives live (not for one that
 * changed, nor for those loaded over HTTP). Returns the unsubscribe.
 */
export function onArrival(fn) {
  arrivalListeners.add(fn);
  return () => arrivalListeners.delete(fn);
}
let framesSeen = 0; // a frame during a load carries a newer count than the load's

/** Load the first page and the count (at login, and to catch up after a reconnect). */
export async function loadNotifications() {
  const mine = generation;
  const framesBefore = framesSeen;
  notifications.loading = true;
  notifications.error = null;
  try {
    const [page, { count }] = await Promise.all([
      getNotifications({ limit: PAGE_SIZE }),
      getUnreadCount()
    ]);
    if (mine !== generation) return;
    mergeNewest(page);
    if (framesSeen === framesBefore) notifications.unreadCount = count;
    notifications.loaded = true;
  } catch (err) {
    if (mine === generation) notifications.error = err;
  } finally {
    if (mine === generation) notifications.loading = false;
  }
}

/** Append the next older page. */
export async function loadMoreNotifications() {
  if (notifications.next === null || notifications.loading) return;
  const mine = generation;
  notifications.loading = true;
  notifications.error = null;
  try {
    const page = await getNotifications({ before: notifications.next, limit: PAGE_SIZE });
    if (mine !== generation) return;
    const known = new Set(notifications.items.map((n) => n.id));
    notifications.items.push(...page.items.filter((n) => !known.has(n.id)));
    notifications.next = page.next;
  } catch (err) {
    if (mine === generation) notifications.error = err;
  } finally {
    if (mine === generation) notifications.loading = false;
  }
}

/**
 * Put a fresh first page in place. Live ones newer than the page stay on top; older pages
 * already loaded stay below when they join the page without a gap, and are dropped otherwise.
 */
function mergeNewest(page) {
  const fresh = new Set(page.items.map((n) => n.id));
  const newestFresh = page.items[0]?.id ?? 0;
  const oldestFresh = page.items.at(-1)?.id ?? 0;
  const known = notifications.items.filter((n) => !fresh.has(n.id));
  const newer = known.filter((n) => n.id > newestFresh);
  const older = known.filter((n) => n.id < oldestFresh);
  const joined =
    page.next !== null &&
    older.length > 0 &&
    notifications.items.some((n) => n.id >= oldestFresh && n.id <= newestFresh);
  notifications.items = [...newer, ...page.items, ...(joined ? older : [])];
  if (!joined) notifications.next = page.next;
}

/**
 * A `notification` frame: a new notification, or a known one changed (a request answered in
 * another tab). It takes its place by id (newest first); the count is the server's.
 */
export function receiveNotification(frame) {
  const { notification, unread_count } = frame;
  framesSeen += 1;
  notifications.unreadCount = unread_count;
  const { items } = notifications;
  const index = items.findIndex((n) => n.id === notification.id);
  if (index !== -1) {
    items[index] = notification;
    return;
  }
  const before = items.findIndex((n) => n.id < notification.id);
  if (before !== -1) items.splice(before, 0, notification);
  else if (notifications.next === null) items.push(notification);
  // else: older than every loaded one, it comes with the next page
  if (!notification.read) arrivalListeners.forEach((fn) => fn(notification));
}

export async function markRead(id) {
  const item = notifications.items.find((n) => n.id === id);
  if (item && !item.read) {
    item.read = true;
    notifications.unreadCount = Math.max(0, notifications.unreadCount - 1);
  }
  await markNotificationRead(id);
}

export async function markAllRead() {
  for (const item of notifications.items) item.read = true;
  notifications.unreadCount = 0;
  await markAllNotificationsRead();
}

/**
 * Accept or decline what a request notification asks, through the request's own route, then
 * show the outcome on it.
 * @param {{id: number, kind: string, subject: object}} notification
 * @param {'accept' | 'decline'} action
 */
export async function answer(notification, action) {
  const route = ANSWERS[notification.kind];
  if (!route || !STATE_BY_ACTION[action]) throw new Error(`cannot ${action} a ${notification.kind}`);
  await route(notification.subject, action);
  notification.state = STATE_BY_ACTION[action];
  settleRequest(notification.kind, requestIdOf(notification), notification.state);
}

/** The id of the request or invitation a notification is about, by kind. */
export function requestIdOf(notification) {
  const { subject = {} } = notification;
  return notification.kind === 'group_invitation' ? subject.invitation_id : subject.request_id;
}

/**
 * A request was answered (in its notification or in a list of requests): show the outcome on
 * its notifications, and mark them read, since answering is reading.
 */
export function settleRequest(kind, requestId, state) {
  for (const item of notifications.items) {
    if (item.kind !== kind || requestIdOf(item) !== requestId) continue;
    item.state = state;
    if (!item.read) markRead(item.id).catch(() => {});
  }
}

function reset() {
  generation += 1;
  Object.assign(notifications, {
    items: [],
    next: null,
    unreadCount: 0,
    loading: false,
    loaded: false,
    error: null
  });
}

/**
 * Follow the logged-in user's notifications on `socket` until the returned function is called
 * (at logout), which also forgets them.
 * @param {{subscribe: (type: string, fn: (frame: any) => void) => () => void}} socket
 */
export function startNotifications(socket) {
  reset();
  const stops = [
    socket.subscribe(SERVER.NOTIFICATION, receiveNotification),
    socket.subscribe(RECONNECTED, () => loadNotifications())
  ];
  loadNotifications();
  return () => {
    stops.forEach((stop) => stop());
    reset();
  };
}
