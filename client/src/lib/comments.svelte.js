// The comments of one post: the pages loaded so far (the API gives them newest first; people
// read them oldest → newest), the ones written, edited or deleted here, and the live frames
// about them. The count is the post's `comments_count`: live `post.counts` frames set it, and
// one's own comment or deletion changes it at once unless such a frame came in meanwhile.
import { createComment, deleteComment, editComment, getComments } from '$lib/api.js';
import { liveFrames, markLive } from '$lib/live.js';
import { PagedList } from '$lib/paged.svelte.js';

/** Copy `fresh` onto `item` in place; live objects carry no `my_reaction`: keep ours then. */
export function mergeInto(item, fresh) {
  for (const [key, value] of Object.entries(fresh)) {
    if (key !== 'my_reaction' || value !== undefined) item[key] = value;
  }
  return item;
}

export class CommentThread {
  #list;
  #post;
  #counted = new Set(); // ids of comments counted here already

  /** @param {{id: number, comments_count?: number}} post the reactive post the page shows */
  constructor(post) {
    this.#post = post;
    this.postId = post.id;
    this.#list = new PagedList(({ before }) => getComments(post.id, { before }));
  }

  /** How many comments the post has. */
  get count() {
    return this.#post.comments_count ?? 0;
  }
  /** Oldest first, for reading top to bottom. */
  get shown() {
    return [...this.#list.items].reverse();
  }
  get loaded() {
    return this.#list.loaded;
  }
  get loading() {
    return this.#list.loading;
  }
  get error() {
    return this.#list.error;
  }
  /** Older comments remain on the server. */
  get hasMore() {
    return this.#list.next !== null;
  }

  load() {
    return this.#list.load();
  }
  more() {
    return this.#list.more();
  }

  /** The comment shown here with this id (the reactive one), or undefined. */
  find(id) {
    return this.#list.items.find((comment) => comment.id === id);
  }

  /**
   * A comment created here: shown at once (last) and counted once, unless a live count of the
   * post came in after `framesBefore` (taken when the request left): that count has it.
   */
  add(comment, framesBefore = liveFrames(this.#post)) {
    this.#list.prepend(comment);
    if (this.#counted.has(comment.id) || liveFrames(this.#post) !== framesBefore) return;
    this.#counted.add(comment.id);
    this.#post.comments_count = this.count + 1;
  }

  /** @param {FormData} form body and/or image; throws the ApiError of a refusal. */
  async send(form) {
    const framesBefore = liveFrames(this.#post);
    const { comment } = await createComment(this.postId, form);
    this.add(comment, framesBefore);
    return comment;
  }

  /** Change my comment's text; throws the ApiError of a refusal. */
  async edit(id, body) {
    const { comment } = await editComment(id, body);
    this.replace(comment);
    return comment;
  }

  /**
   * Delete a comment (mine, or one on my post) and count it out; one already gone is gone all
   * the same. It stays listed until drop(id), once the confirmation has closed.
   */
  async delete(id) {
    const framesBefore = liveFrames(this.#post);
    try {
      await deleteComment(id);
    } catch (err) {
      if (err.code !== 'not_found') throw err;
    }
    if (this.find(id) && liveFrames(this.#post) === framesBefore)
      this.#post.comments_count = Math.max(0, this.count - 1);
  }

  // ---- live frames (the count comes with post.counts) ----

  /** comment.new: shown when the comments are (they load it otherwise). */
  receive(comment) {
    if (this.loaded) this.#list.prepend(comment);
  }

  /** comment.edited, or my edit: the comment changes in place. */
  replace(comment) {
    const shown = this.find(comment.id);
    if (shown) mergeInto(shown, comment);
  }

  /** comment.deleted, or deleted here */
  drop(id) {
    this.#list.remove((comment) => comment.id === id);
  }

  /** comment.counts */
  counts(id, reactions) {
    const shown = this.find(id);
    if (!shown) return;
    shown.reactions = reactions;
    markLive(shown);
  }
}
