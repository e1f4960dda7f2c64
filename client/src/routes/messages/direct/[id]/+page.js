import { getUser } from '$lib/api.js';
import { idParam, loaded } from '$lib/load.js';

const MISSING = { title: 'Conversation not available', message: 'There is no such person.' };

/** The other person of a direct conversation (the address is valid before the first message). */
export async function load({ params, fetch, depends }) {
  depends('app:peer'); // reloaded when they follow us, or accept our request (the page may open)
  const id = idParam(params.id, MISSING);
  const { user } = await loaded(getUser(id, { fetch }), MISSING);
  return { peer: user };
}
