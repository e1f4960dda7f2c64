import { getFollowRequests } from '$lib/api.js';
import { loaded } from '$lib/load.js';

/**
 * The pending follow requests' first page (the notifications themselves are the layout's live
 * state). Reloaded by invalidate('app:follow-requests') when a new request arrives.
 */
export async function load({ fetch, depends }) {
  depends('app:follow-requests');
  return { requests: await loaded(getFollowRequests({ fetch })) };
}
