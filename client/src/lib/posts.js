// Words and checks shared by posts and comments: audiences, alt text, image limits, errors.
import { fieldSentence } from '$lib/fieldErrors.js';
import { fullName } from '$lib/notificationText.js';

/** The three audiences of a post (SPEC.md, Posts and comments), in the order offered. */
export const PRIVACY_OPTIONS = [
  { value: 'public', label: 'Public', hint: 'Everyone on socialnet' },
  { value: 'almost_private', label: 'Almost private', hint: 'Your followers' },
  { value: 'private', label: 'Private', hint: 'Followers you choose' }
];

/** `{key, label, hint}` of the audience a post was shared with; group posts are "Group". */
export function audienceOf(post) {
  if (post.group_id) return { key: 'group', label: 'Group', hint: 'Members of the group' };
  const option = PRIVACY_OPTIONS.find((o) => o.value === post.privacy);
  if (!option) return { key: 'public', label: post.privacy ?? 'Public', hint: '' };
  const hint =
    option.value === 'almost_private' ? `Followers of ${fullName(post.author)}` : option.hint;
  return { key: option.value, label: option.label, hint };
}

const ALT_WORDS = 12;

/** Alt text of a post's or a comment's image: the start of its text, else who posted it. */
export function imageAlt(item) {
  const words = (item.body ?? '').trim().split(/\s+/).filter(Boolean);
  if (!words.length) return `Image posted by ${fullName(item.author)}`;
  const start = words.slice(0, ALT_WORDS).join(' ');
  return words.length > ALT_WORDS ? `${start}…` : start;
}

export const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif'];
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

/** Why `file` would be refused before sending it, or '' (the server checks the content). */
export function checkImage(file) {
  if (!file) return '';
  if (file.type && !IMAGE_TYPES.includes(file.type)) return 'Choose a JPEG, PNG or GIF image.';
  if (file.size > MAX_IMAGE_BYTES) return 'This image is larger than 10 MB.';
  return '';
}

/**
 * An ApiError as messages beside the fields: `{body?, image?, privacy?, viewer_ids?, form?}`.
 * Image refusals (413, 415) belong to the image picker; anything else without a field is `form`.
 */
export function errorsFrom(err) {
  if (err?.code === 'payload_too_large' || err?.code === 'unsupported_media')
    return { image: err.message };
  const fields = Object.fromEntries(
    Object.entries(err?.fields ?? {}).map(([name, text]) => [name, fieldSentence(name, text)])
  );
  if (Object.keys(fields).length) return fields;
  return { form: err?.message ?? 'Something went wrong. Please try again.' };
}

/** The multipart body of a comment. */
export function commentFormData({ body, image }) {
  const form = new FormData();
  form.append('body', body.trim());
  if (image) form.append('image', image);
  return form;
}
