import { getGroup } from '$lib/api.js';
import { idParam, loaded } from '$lib/load.js';

const MISSING = { title: 'Group not available', message: 'There is no such group.' };

/** Reloaded by invalidate('app:group') when news or an answer changes the group. */
export async function load({ params, fetch, depends }) {
  depends('app:group');
  const id = idParam(params.id, MISSING);
  const { group } = await loaded(getGroup(id, { fetch }), MISSING);
  return { group };
}
