// A cursor-paged list of API.md (`{items, next}`, `?before=next`) as reactive state.
// Items with an `id` appear once: a page overlapping the previous one (new items arrived
// meanwhile), or an item prepended by the client and then fetched, is not shown twice.

/** `items` followed by the `more` whose id is not already there (items without id always). */
export function mergeUnique(items, more) {
  const seen = new Set(items.map((item) => item?.id).filter((id) => id !== undefined));
  const merged = [...items];
  for (const item of more) {
    const id = item?.id;
    if (id === undefined) merged.push(item);
    else if (!seen.has(id)) {
      seen.add(id);
      merged.push(item);
    }
  }
  return merged;
}

export class PagedList {
  items = $state([]);
  /** The cursor of the next page, null at the end. */
  next = $state(null);
  loading = $state(false);
  loaded = $state(false);
  /** The ApiError of the last failed load, else null. */
  error = $state(null);

  #fetchPage;
  #generation = 0;

  /**
   * @param {(params: {before?: number}) => Promise<{items: any[], next: number | null}>} fetchPage
   * @param {{items: any[], next: number | null}} [first] the first page, when a load function
   *   already has it: the list starts loaded, and `more()` goes on from there
   */
  constructor(fetchPage, first) {
    this.#fetchPage = fetchPage;
    if (first) {
      this.items = mergeUnique([], first.items);
      this.next = first.next ?? null;
      this.loaded = true;
    }
  }

  /** (Re)load the first page; answers to older loads are dropped. */
  load() {
    this.#generation += 1;
    this.items = [];
    this.next = null;
    this.loaded = false;
    return this.#fetch({});
  }

  /** Append the next page, if there is one. */
  more() {
    if (this.next === null || this.loading) return Promise.resolve();
    return this.#fetch({ before: this.next });
  }

  /** Put a new item first (just created here); false when it is already listed. */
  prepend(item) {
    if (item?.id !== undefined && this.items.some((other) => other?.id === item.id)) return false;
    this.items = [item, ...this.items];
    return true;
  }

  /** Drop one item (after a removal) without a reload. */
  remove(predicate) {
    this.items = this.items.filter((item) => !predicate(item));
  }

  async #fetch(params) {
    const mine = this.#generation;
    this.loading = true;
    this.error = null;
    try {
      const page = await this.#fetchPage(params);
      if (mine !== this.#generation) return;
      // load() emptied the list: what is there now was prepended while the page was on its way.
      this.items = mergeUnique(this.items, page.items);
      this.next = page.next ?? null;
      this.loaded = true;
    } catch (err) {
      if (mine === this.#generation) this.error = err;
    } finally {
      if (mine === this.#generation) this.loading = false;
    }
  }
}
