// New posts arriving live in a list (post.new): at the top at once while the reader is at the
// top, else held behind a "N new posts" button (as Twitter and Mastodon do) so that what they
// are reading does not move under them. The reader's own posts always go straight in.
import { mergeUnique } from '$lib/paged.svelte.js';

/** Scrolled less than this far, the reader is at the top. */
export const AT_TOP_PX = 240;

const scrolledToTop = () => (globalThis.scrollY ?? 0) < AT_TOP_PX;

export class LiveFeed {
  /** New posts held back, newest first. */
  pending = $state([]);
  #list;
  #atTop;
  #isMine;

  /**
   * @param {import('$lib/paged.svelte.js').PagedList} list the posts shown
   * @param {{atTop?: () => boolean, isMine?: (post: any) => boolean}} [options]
   */
  constructor(list, { atTop = scrolledToTop, isMine = () => false } = {}) {
    this.#list = list;
    this.#atTop = atTop;
    this.#isMine = isMine;
  }

  /** A post.new of the list's feed (bind it: `(post) => live.receive(post)`). */
  receive(post) {
    // Not loaded yet: the first page will bring it.
    if (!this.#list.loaded) return;
    const known = (other) => other.id === post.id;
    if (this.#list.items.some(known) || this.pending.some(known)) return;
    if (this.#atTop() || this.#isMine(post)) this.#list.prepend(post);
    else this.pending = [post, ...this.pending];
  }

  /** Show the held posts at the top; returns how many there were. */
  showPending() {
    const fresh = this.pending;
    this.pending = [];
    this.#list.items = mergeUnique(fresh, this.#list.items);
    return fresh.length;
  }
}
