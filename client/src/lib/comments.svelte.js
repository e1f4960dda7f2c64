// The comments of one post: its count, the pages loaded so far (the API gives them newest
// first; people read them oldest → newest) and the ones just written here.
import { createComment, getComments } from '$lib/api.js';
import { PagedList } from '$lib/paged.svelte.js';

export class CommentThread {
  /** How many comments the post has, the server's figure plus those added since. */
  count = $state(0);
  #list;

  /**
   * @param {number} postId
   * @param {number} count the post's `comments_count`
   */
  constructor(postId, count = 0) {
    this.postId = postId;
    this.count = count;
    this.#list = new PagedList(({ before }) => getComments(postId, { before }));
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

  /** A comment created here: shown at once (last) and counted, once. */
  add(comment) {
    if (this.#list.prepend(comment)) this.count += 1;
  }

  /** @param {FormData} form body and/or image; throws the ApiError of a refusal. */
  async send(form) {
    const { comment } = await createComment(this.postId, form);
    this.add(comment);
    return comment;
  }
}
