import { getPost } from '$lib/api.js';
import { idParam, loaded } from '$lib/load.js';

// The server answers 404 alike for a missing post and one the viewer may not see.
const MISSING = {
  title: "This post isn't available",
  message: 'It may have been deleted, or it is shared with people you are not among.'
};

export async function load({ params, fetch }) {
  const id = idParam(params.id, MISSING);
  const { post } = await loaded(getPost(id, { fetch }), MISSING);
  return { post };
}
