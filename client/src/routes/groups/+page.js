import { getGroups } from '$lib/api.js';
import { loaded } from '$lib/load.js';

/** Groups matching `?q=` (all without it): the first page; "Load more" goes on. */
export async function load({ url, fetch, depends }) {
  depends('app:groups');
  const q = url.searchParams.get('q')?.trim() ?? '';
  return { q, groups: await loaded(getGroups({ q, fetch })) };
}
