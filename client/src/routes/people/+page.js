import { searchUsers } from '$lib/api.js';
import { loaded } from '$lib/load.js';

/** People matching `?q=` (everyone without it): the first page; "Load more" goes on. */
export async function load({ url, fetch }) {
  const q = url.searchParams.get('q')?.trim() ?? '';
  return { q, people: await loaded(searchUsers({ q, fetch })) };
}
