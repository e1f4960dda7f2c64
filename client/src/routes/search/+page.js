import { search } from '$lib/api.js';
import { loaded } from '$lib/load.js';
import { parseSearch } from '$lib/searchAddress.js';

/**
 * The first page of results for `?q=&type=`. No query: nothing asked. A query the server
 * refuses (422: empty, or over 200 characters) is shown on the page in the server's words.
 */
export async function load({ url, fetch }) {
  const { q, type } = parseSearch(url);
  if (!q) return { q, type, results: null, problem: '' };
  try {
    return { q, type, results: await search({ q, type, fetch }), problem: '' };
  } catch (err) {
    if (err?.code !== 'validation_error') return loaded(Promise.reject(err));
    const said = (err.fields?.q ?? err.message).replace(/[.!?]$/, '');
    return { q, type, results: null, problem: `Can't search for that: ${said}.` };
  }
}
