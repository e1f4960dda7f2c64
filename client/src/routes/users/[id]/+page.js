import { getUser } from '$lib/api.js';
import { idParam, loaded } from '$lib/load.js';

const MISSING = { title: 'Profile not available', message: 'There is no such person.' };

/** Reloaded by invalidate('app:profile') when following changes what the viewer may see. */
export async function load({ params, fetch, depends }) {
  depends('app:profile');
  const id = idParam(params.id, MISSING);
  const { user } = await loaded(getUser(id, { fetch }), MISSING);
  return { profile: user };
}
