// A cursor-paged list of API.md (`{items, next}`, `?before=next`) as reactive state.

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

  /** @param {(params: {before?: number}) => Promise<{items: any[], next: number | null}>} fetchPage */
  constructor(fetchPage) {
    this.#fetchPage = fetchPage;
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
      this.items = params.before === undefined ? page.items : [...this.items, ...page.items];
      this.next = page.next ?? null;
      this.loaded = true;
    } catch (err) {
      if (mine === this.#generation) this.error = err;
    } finally {
      if (mine === this.#generation) this.loading = false;
    }
  }
}
