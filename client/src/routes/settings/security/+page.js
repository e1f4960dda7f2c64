import { getSessions } from '$lib/api.js';
import { loaded } from '$lib/load.js';

/** The user's sessions, for the list under the password form. */
export async function load({ fetch, depends }) {
  depends('app:sessions');
  const { items } = await loaded(getSessions({ fetch }));
  return { sessions: items };
}
