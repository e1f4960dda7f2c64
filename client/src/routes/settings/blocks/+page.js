import { getBlocks } from '$lib/api.js';
import { loaded } from '$lib/load.js';

/** The first page of the people I blocked ("Load more" goes on). */
export async function load({ fetch }) {
  return { blocks: await loaded(getBlocks({ fetch })) };
}
