// The posts on screen, one reactive object per post however many lists show it: every
// PostCard shows its post through here (showPost when it appears, releasePost when it goes).
// Edits, reactions and deletions made in one card, and the live frames the root layout's
// watch (./watch.svelte.js) passes on, change that one object, so every list showing the post
// updates in place; the ids here are the posts the tab watches.
import { CommentThread, mergeInto } from '$lib/comments.svelte.js';
import { markLive } from '$lib/live.js';

class Shown {
  post = $state();
  /** null while the post is there; 'deleted' (here) or 'removed' (elsewhere, or out of sight). */
  gone = $state(null);
  /** Being deleted here: its post.deleted frame is this tab's own deletion. */
  deleting = false;
  refs = 0;

  constructor(post) {
    this.post = post;
    this.thread = new CommentThread(this.post);
  }
}

/** id → Shown, in the order the posts first appeared. */
const shown = new Map();
const listeners = new Set();
const changed = () => listeners.forEach((fn) => fn());

/**
 * The one object of `post` for a card to show (with its comment thread and `gone`); a post
 * already shown takes the fresher fields of this copy. Pair with releasePost.
 * @returns {Shown}
 */
export function showPost(post) {
  let entry = shown.get(post.id);
  if (entry) mergeInto(entry.post, post);
  else {
    entry = new Shown(post);
    shown.set(post.id, entry);
    changed();
  }
  entry.refs += 1;
  return entry;
}

/** A card showing the entry's post went away. */
export function releasePost(entry) {
  entry.refs -= 1;
  if (entry.refs <= 0 && shown.get(entry.post.id) === entry) {
    shown.delete(entry.post.id);
    changed();
  }
}

/** The ids of the posts on screen, oldest appearance first. */
export const shownPostIds = () => [...shown.keys()];

/** Call `fn` whenever a post appears or goes; returns the unsubscribe. */
export function onShownChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

// ---- live frames (./watch.svelte.js) -----------------------------------------------------

/** post.edited: the post as it is now, without `my_reaction`. */
export function postEdited(post) {
  const entry = shown.get(post.id);
  if (!entry) return;
  mergeInto(entry.post, post);
  markLive(entry.post);
}

/** post.deleted: deleted, or taken out of this reader's sight. */
export function postDeleted(postId) {
  const entry = shown.get(postId);
  if (entry && !entry.gone) entry.gone = entry.deleting ? 'deleted' : 'removed';
}

/** post.counts */
export function postCounts({ post_id, comments_count, reactions }) {
  const entry = shown.get(post_id);
  if (!entry) return;
  entry.post.comments_count = comments_count;
  entry.post.reactions = reactions;
  markLive(entry.post);
}

const threadOf = (postId) => shown.get(postId)?.thread;

/** comment.new */
export const commentNew = (comment) => threadOf(comment.post_id)?.receive(comment);

/** comment.edited */
export const commentEdited = (comment) => threadOf(comment.post_id)?.replace(comment);

/** comment.deleted */
export const commentDeleted = ({ post_id, comment_id }) => threadOf(post_id)?.drop(comment_id);

/** comment.counts: the frame names no post, so every thread shown is asked. */
export function commentCounts({ comment_id, reactions }) {
  for (const entry of shown.values()) entry.thread.counts(comment_id, reactions);
}
