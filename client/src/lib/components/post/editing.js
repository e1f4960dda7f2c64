// The rules of editing a post or a comment in place, apart from their looks: what a PATCH
// carries (only what changed: API.md, PATCH /api/posts/{id}) and what stops it being sent.

const EMPTY = 'Write something or add an image.';

/**
 * What to send for `post` edited into `draft`, or why not.
 * @param {{body: string, image_url?: string | null, privacy: string, group_id?: number | null}} post
 * @param {{body: string, privacy: string, viewerIds: number[] | null}} draft `viewerIds`: the
 *   followers chosen anew, null to keep those the post has
 * @returns {{errors: Record<string, string>, changes: object | null}} `changes` null: nothing changed
 */
export function postChanges(post, { body, privacy, viewerIds }) {
  const text = body.trim();
  const errors = {};
  if (!text && !post.image_url) errors.body = EMPTY;
  const inGroup = Boolean(post.group_id);
  if (!inGroup && privacy === 'private' && viewerIds !== null && viewerIds.length === 0)
    errors.viewer_ids = 'Pick at least one follower who may see this post.';
  if (Object.keys(errors).length) return { errors, changes: null };

  const changes = {};
  if (text !== (post.body ?? '')) changes.body = text;
  if (!inGroup && privacy !== post.privacy) changes.privacy = privacy;
  if (!inGroup && privacy === 'private' && viewerIds !== null) changes.viewer_ids = [...viewerIds];
  return { errors, changes: Object.keys(changes).length ? changes : null };
}

/**
 * What to send for `comment` edited into `body`: `{error}` to show, or `{body}` (null when
 * unchanged).
 */
export function commentChange(comment, body) {
  const text = body.trim();
  if (!text && !comment.image_url) return { error: EMPTY, body: null };
  return { error: '', body: text === (comment.body ?? '') ? null : text };
}
