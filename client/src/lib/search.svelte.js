// A search box whose query lives in the address (`?q=`), where the page's load function reads
// it: typing searches after a pause, Enter (or the button) at once and afresh.
import { goto } from '$app/navigation';
import { withQuery } from '$lib/api.js';

export const DEBOUNCE_MS = 300;

export class SearchBox {
  /** What the input holds (bind:value). */
  query = $state('');
  #path;
  #timer;

  /**
   * @param {string} path the page's address, e.g. '/people'
   * @param {string} query what the address searches for now
   */
  constructor(path, query) {
    this.#path = path;
    this.query = query;
  }

  /** Go to the address of the query now; the load function runs again even when it is the same. */
  search = () => {
    clearTimeout(this.#timer);
    const url = withQuery(this.#path, { q: this.query.trim() });
    return goto(url, { replaceState: true, keepFocus: true, noScroll: true, invalidateAll: true });
  };

  oninput = () => {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.search, DEBOUNCE_MS);
  };

  onsubmit = (event) => {
    event.preventDefault();
    this.search();
  };

  /** Forget a pending search (the page goes away). */
  stop = () => clearTimeout(this.#timer);
}
