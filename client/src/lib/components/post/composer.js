// The rules of the post composer, apart from its looks: the default audience, what must be
// filled in before sending, and the multipart body of POST /api/posts (a group post carries
// `group_id`, and its audience is the group's members whatever the privacy).

/** SPEC.md: Public for a public profile, Almost private for a private one. */
export const defaultPrivacy = (user) => (user?.is_public === false ? 'almost_private' : 'public');

/**
 * What stops the post from being sent, by field (`{}` when it may go).
 * @param {{body: string, image: File | null, privacy: string, viewerIds: number[], groupId?: number | null}} draft
 */
export function checkPost({ body, image, privacy, viewerIds, groupId = null }) {
  const errors = {};
  if (!body.trim() && !image) errors.body = 'Write something or add an image.';
  if (!groupId && privacy === 'private' && viewerIds.length === 0)
    errors.viewer_ids = 'Pick at least one follower who may see this post.';
  return errors;
}

/** The multipart body: viewer_ids repeated, and only for a private post; group_id for a group's. */
export function postFormData({ body, image, privacy, viewerIds, groupId = null }) {
  const form = new FormData();
  form.append('body', body.trim());
  if (groupId) {
    form.append('group_id', String(groupId));
  } else {
    form.append('privacy', privacy);
    if (privacy === 'private') for (const id of viewerIds) form.append('viewer_ids', String(id));
  }
  if (image) form.append('image', image);
  return form;
}
