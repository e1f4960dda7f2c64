// What the tab watches (API.md, the `watch` frame) and what the live post frames do. The root
// layout starts it with the socket; pages name the feed they show with watchFeed, and the
// posts on screen are those PostCards show (./posts.svelte.js). Whenever either changes the
// tab sends one watch frame with the whole set (it replaces the previous one), again after
// every reconnect, and never the same set twice on one connection.
import { untrack } from 'svelte';
import { RECONNECTED, SERVER, watchFrame } from '$lib/realtime/protocol.js';
import {
  commentCounts,
  commentDeleted,
  commentEdited,
  commentNew,
  onShownChange,
  postCounts,
  postDeleted,
  postEdited,
  shownPostIds
} from './posts.svelte.js';

/** API.md's bounds of one watch frame. */
export const MAX_FEEDS = 10;
export const MAX_POSTS = 500;

/**
 * The set to send: each feed and id once, at most MAX_FEEDS feeds (the first named) and
 * MAX_POSTS posts (the last to appear: where the reader has scrolled to).
 * @param {string[]} feeds
 * @param {number[]} posts
 */
export function watchSet(feeds, posts) {
  return {
    feeds: [...new Set(feeds)].slice(0, MAX_FEEDS),
    posts: [...new Set(posts)].slice(-MAX_POSTS)
  };
}

/** feed → the functions to call with each post.new of it (the pages showing that feed). */
const feeds = new Map();
let socket = null;
let lastSent = null; // the set last sent on this connection, as JSON
let scheduled = false;

/**
 * Show `feed` ('home', 'explore', 'user:<id>', 'group:<id>') live while the page is up:
 * `onNew(post)` for each post.new of it. Returns the function that stops (an $effect's cleanup).
 */
export function watchFeed(feed, onNew) {
  if (!feeds.has(feed)) feeds.set(feed, new Set());
  feeds.get(feed).add(onNew);
  schedule();
  return () => {
    const listeners = feeds.get(feed);
    listeners?.delete(onNew);
    if (listeners?.size === 0) feeds.delete(feed);
    schedule();
  };
}

// Cards come and go by the dozen as a list renders: one frame for the lot.
function schedule() {
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(flush);
}

function flush() {
  scheduled = false;
  if (!socket) return;
  const set = watchSet([...feeds.keys()], shownPostIds());
  const text = JSON.stringify(set);
  if (text === lastSent) return;
  if (socket.send(watchFrame(set.feeds, set.posts))) lastSent = text;
}

/** A new connection knows nothing of this tab: send the whole set again. */
function resend() {
  lastSent = null;
  flush();
}

const ON_FRAME = {
  [SERVER.POST_NEW]: ({ feed, post }) => feeds.get(feed)?.forEach((onNew) => onNew(post)),
  [SERVER.POST_EDITED]: ({ post }) => postEdited(post),
  [SERVER.POST_DELETED]: ({ post_id }) => postDeleted(post_id),
  [SERVER.POST_COUNTS]: postCounts,
  [SERVER.COMMENT_NEW]: ({ comment }) => commentNew(comment),
  [SERVER.COMMENT_EDITED]: ({ comment }) => commentEdited(comment),
  [SERVER.COMMENT_DELETED]: commentDeleted,
  [SERVER.COMMENT_COUNTS]: commentCounts
};

/**
 * Start watching on `realtimeSocket` (the root layout, at login); returns the stop. The set
 * goes out when the socket first opens and after every reconnect (RECONNECTED).
 * @param {{connected: boolean, send: (frame: object) => boolean, subscribe: Function}} realtimeSocket
 */
export function startWatch(realtimeSocket) {
  socket = realtimeSocket;
  lastSent = null;
  const stops = [
    onShownChange(schedule),
    socket.subscribe(RECONNECTED, resend),
    ...Object.entries(ON_FRAME).map(([type, handle]) => socket.subscribe(type, handle)),
    // The first open emits no RECONNECTED: send once the socket is up if nothing went yet.
    $effect.root(() => {
      $effect(() => {
        if (realtimeSocket.connected) untrack(() => lastSent === null && flush());
      });
    })
  ];
  return () => {
    stops.forEach((stop) => stop());
    socket = null;
    lastSent = null;
  };
}
