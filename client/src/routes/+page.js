import { getFeed } from '$lib/api.js';
import { loaded } from '$lib/load.js';

/** Home: the feed's first page (the page asks for more as the reader scrolls). */
export async function load({ fetch }) {
  return { feed: await loaded(getFeed({ fetch })) };
}
