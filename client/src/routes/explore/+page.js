import { getExplore } from '$lib/api.js';
import { loaded } from '$lib/load.js';

/** Explore: the first page of every public post outside groups (more as the reader scrolls). */
export async function load({ fetch }) {
  return { posts: await loaded(getExplore({ fetch })) };
}
