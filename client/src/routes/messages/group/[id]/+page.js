import { getGroup } from '$lib/api.js';
import { idParam, loaded } from '$lib/load.js';

const MISSING = { title: 'Conversation not available', message: 'There is no such group.' };

/** The group of a group chat (any logged-in user may read the group; its messages are members'). */
export async function load({ params, fetch }) {
  const id = idParam(params.id, MISSING);
  const { group } = await loaded(getGroup(id, { fetch }), MISSING);
  return { group };
}
