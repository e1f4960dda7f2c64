// The one way the client talks to the server (API.md). Every call goes through send(),
// which returns the parsed JSON body (null for 204) or throws an ApiError carrying the
// contract's error code. Add new calls below, in the section of their resource. Reads that
// load functions (+page.js) make take `{fetch}`: SvelteKit's fetch of that load.

/** An error answer from the server, or a failure to reach it (code 'network_error'). */
export class ApiError extends Error {
  /**
   * @param {number} status HTTP status, 0 when the server could not be reached
   * @param {string} code the contract's snake_case code, e.g. 'validation_error'
   * @param {string} message a sentence fit to show to the user
   * @param {Record<string, string>} [fields] per-field messages of a validation error
   */
  constructor(status, code, message, fields = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

// Codes for failures that carry no contract JSON (a proxy's HTML 413 page, a crashed server).
const CODE_BY_STATUS = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media',
  422: 'validation_error',
  429: 'rate_limited'
};

const MESSAGE_BY_CODE = {
  network_error: 'Could not reach socialnet. Check your connection and try again.',
  unauthenticated: 'Your session has ended. Please log in again.',
  forbidden: 'You are not allowed to do that.',
  not_found: 'This could not be found.',
  payload_too_large: 'That file is too large.',
  unsupported_media: 'Only JPEG, PNG and GIF images are accepted.',
  rate_limited: 'Too many requests. Wait a moment and try again.',
  bad_response: 'The server sent an answer we could not read.'
};
const FALLBACK_MESSAGE = 'Something went wrong on our side. Please try again.';

const unauthenticatedListeners = new Set();

/**
 * Call `fn` whenever any request answers 401 `unauthenticated` (the session ended elsewhere).
 * Returns a function that removes the listener.
 */
export function onUnauthenticated(fn) {
  unauthenticatedListeners.add(fn);
  return () => unauthenticatedListeners.delete(fn);
}

/**
 * Send one request and return its JSON body, or null for 204 No Content.
 * Exported for tests; pages and components call the named functions below instead.
 * @param {string} method
 * @param {string} path e.g. '/api/auth/me'
 * @param {{json?: unknown, form?: FormData, fetch?: typeof fetch}} [options] a JSON body or a
 *   multipart form; `fetch`: the one SvelteKit gives a load function (the browser's otherwise)
 */
export async function send(method, path, { json, form, fetch = globalThis.fetch } = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (json !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(json);
  } else if (form !== undefined) {
    init.body = form; // the browser sets multipart/form-data with its boundary
  }

  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw apiError(0, 'network_error');
  }
  if (response.status === 204) return null;

  const body = await readJson(response);
  if (response.ok) {
    if (body === undefined) throw apiError(response.status, 'bad_response');
    return body;
  }

  const error = body?.error;
  const failure =
    error && typeof error.code === 'string'
      ? new ApiError(
          response.status,
          error.code,
          error.message || MESSAGE_BY_CODE[error.code] || FALLBACK_MESSAGE,
          error.fields ?? {}
        )
      : apiError(response.status, CODE_BY_STATUS[response.status] ?? 'server_error');
  if (failure.code === 'unauthenticated') unauthenticatedListeners.forEach((fn) => fn(failure));
  throw failure;
}

/** The body as JSON, or undefined when it is empty or not JSON. */
async function readJson(response) {
  try {
    const text = await response.text();
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

function apiError(status, code) {
  return new ApiError(status, code, MESSAGE_BY_CODE[code] ?? FALLBACK_MESSAGE);
}

/**
 * A path with its query string; undefined, null and '' parameters are left out.
 * @param {string} path
 * @param {Record<string, string | number | boolean | null | undefined>} params
 */
export function withQuery(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

// ---- Auth -------------------------------------------------------------------------------

/** @param {FormData} formData email, password, names, date_of_birth, optional avatar... */
export const register = (formData) => send('POST', '/api/auth/register', { form: formData });

export const login = (email, password) =>
  send('POST', '/api/auth/login', { json: { email, password } });

export const logout = () => send('POST', '/api/auth/logout');

export const me = () => send('GET', '/api/auth/me');

/** Ask for a reset link by mail; the answer is the same whether or not the email exists. */
export const requestPasswordReset = (email) =>
  send('POST', '/api/auth/password-reset', { json: { email } });

/** Set a new password with the mailed token; every session of the account ends. */
export const confirmPasswordReset = (token, newPassword) =>
  send('POST', '/api/auth/password-reset/confirm', {
    json: { token, new_password: newPassword }
  });

/** `{items: [{name, label}]}`: the external sign-in providers (no session needed). */
export const getProviders = ({ fetch } = {}) => send('GET', '/api/auth/providers', { fetch });

/** Where the browser goes to sign in with a provider (a navigation, not a fetch). */
export const providerStartUrl = (name, next = '/') =>
  withQuery(`/api/auth/oidc/${encodeURIComponent(name)}/start`, { next });

/** Give an account made through a provider its date of birth (and names if missing). */
export const completeProfile = (fields) =>
  send('POST', '/api/auth/complete-profile', { json: fields });

/** `{items: [{id, created_at, last_seen_at, user_agent, current}]}`: the user's sessions. */
export const getSessions = ({ fetch } = {}) => send('GET', '/api/auth/sessions', { fetch });

/** End one of the user's sessions (the current one logs this browser out). */
export const endSession = (id) => send('DELETE', `/api/auth/sessions/${id}`);

/** End every session of the user but this one. */
export const endOtherSessions = () => send('DELETE', '/api/auth/sessions?others=true');

/** A new password; every other session of the user ends. */
export const changePassword = (currentPassword, newPassword) =>
  send('POST', '/api/auth/password', {
    json: { current_password: currentPassword, new_password: newPassword }
  });

// ---- Users and profiles -----------------------------------------------------------------

/** A page of user cards with `follow_state`; all users when `q` is empty. */
export const searchUsers = ({ q, before, limit, fetch } = {}) =>
  send('GET', withQuery('/api/users', { q, before, limit }), { fetch });

/** `{user}`: the profile, with `can_view`, `follow_state`, `follows_you` and the counts. */
export const getUser = (id, { fetch } = {}) => send('GET', `/api/users/${id}`, { fetch });

/** The paged lists of a profile; 403 `private_profile` when the viewer may not see them. */
export const getUserPosts = (id, { before, limit } = {}) =>
  send('GET', withQuery(`/api/users/${id}/posts`, { before, limit }));
export const getUserActivity = (id, { before, limit } = {}) =>
  send('GET', withQuery(`/api/users/${id}/activity`, { before, limit }));
export const getFollowers = (id, { before, limit } = {}) =>
  send('GET', withQuery(`/api/users/${id}/followers`, { before, limit }));
export const getFollowing = (id, { before, limit } = {}) =>
  send('GET', withQuery(`/api/users/${id}/following`, { before, limit }));

/** @param {{nickname?: string, about_me?: string, is_public?: boolean, first_name?: string, last_name?: string}} changes */
export const updateMe = (changes) => send('PATCH', '/api/users/me', { json: changes });

/** @param {File} file a JPEG, PNG or GIF */
export function putAvatar(file) {
  const form = new FormData();
  form.append('avatar', file);
  return send('PUT', '/api/users/me/avatar', { form });
}

export const deleteAvatar = () => send('DELETE', '/api/users/me/avatar');

/** Delete the account and all it authored; the password is required. */
export const deleteMe = (password) => send('DELETE', '/api/users/me', { json: { password } });

/** Where the browser downloads the zip of the user's data (a plain link, not a fetch). */
export const EXPORT_URL = '/api/users/me/export';

// ---- Follows ----------------------------------------------------------------------------

/** `{follow_state: 'following' | 'requested'}`: at once for a public profile, a request otherwise. */
export const follow = (userId) => send('POST', `/api/users/${userId}/follow`);

/** Unfollow, or cancel a pending request. */
export const unfollow = (userId) => send('DELETE', `/api/users/${userId}/follow`);

/** Stop someone from following me. */
export const removeFollower = (userId) => send('DELETE', `/api/users/${userId}/follower`);

/** Incoming pending requests: `{items: [{id, from: <user card>, created_at}], next}`. */
export const getFollowRequests = ({ before, limit, fetch } = {}) =>
  send('GET', withQuery('/api/follow-requests', { before, limit }), { fetch });

/** @param {'accept' | 'decline'} action → `{request: {id, status}}` */
export const answerFollowRequest = (id, action) =>
  send('POST', `/api/follow-requests/${id}/${action}`);

// ---- Posts and comments -----------------------------------------------------------------

/**
 * @param {FormData} formData body, privacy, viewer_ids (repeated), optional image, optional group_id
 * → `{post}`; 422 with `fields` (body, privacy, viewer_ids, image), 413 / 415 for the image.
 */
export const createPost = (formData) => send('POST', '/api/posts', { form: formData });

/** Every post the viewer may see, newest first: `{items: [<post>], next}`. */
export const getFeed = ({ before, limit, fetch } = {}) =>
  send('GET', withQuery('/api/feed', { before, limit }), { fetch });

/** Every public post outside groups, newest first: `{items: [<post>], next}`. */
export const getExplore = ({ before, limit, fetch } = {}) =>
  send('GET', withQuery('/api/explore', { before, limit }), { fetch });

/** `{post}`; 404 both when it does not exist and when the viewer may not see it. */
export const getPost = (id, { fetch } = {}) => send('GET', `/api/posts/${id}`, { fetch });

/**
 * The author only (403 otherwise): `{body?, privacy?, viewer_ids?}` → `{post}`. A group post
 * takes `body` alone; without `viewer_ids` a private post keeps the followers it had.
 */
export const editPost = (id, changes) => send('PATCH', `/api/posts/${id}`, { json: changes });

/** The author, or for a group post the group's creator (403 otherwise). */
export const deletePost = (id) => send('DELETE', `/api/posts/${id}`);

/** Newest first: `{items: [<comment>], next}`. */
export const getComments = (postId, { before, limit } = {}) =>
  send('GET', withQuery(`/api/posts/${postId}/comments`, { before, limit }));

/** @param {FormData} formData body and/or image → `{comment}` */
export const createComment = (postId, formData) =>
  send('POST', `/api/posts/${postId}/comments`, { form: formData });

/** The author only: `{body}` → `{comment}`. */
export const editComment = (id, body) => send('PATCH', `/api/comments/${id}`, { json: { body } });

/** Its author, the post's author or, in a group, the group's creator (403 otherwise). */
export const deleteComment = (id) => send('DELETE', `/api/comments/${id}`);

// ---- Reactions (`which` is 'posts' or 'comments') ----------------------------------------

/** Set my reaction (like, love, haha, wow, sad, angry) → `{post}` or `{comment}`. */
export const react = (which, id, kind) =>
  send('PUT', `/api/${which}/${id}/reaction`, { json: { kind } });

/** Withdraw my reaction (204 also when there was none). */
export const unreact = (which, id) => send('DELETE', `/api/${which}/${id}/reaction`);

/** Who reacted, newest first, one kind or all: `{items: [{user: <card>, kind}], next}`. */
export const getReactions = (which, id, { kind, before, limit } = {}) =>
  send('GET', withQuery(`/api/${which}/${id}/reactions`, { kind, before, limit }));

// ---- Search -------------------------------------------------------------------------------

/**
 * @param {{q: string, type: 'people' | 'groups' | 'posts', before?: number, limit?: number}} params
 * → user cards, groups (the browse shape) or `<post>`s; 422 for a `q` outside 1 to 200 characters.
 */
export const search = ({ q, type, before, limit, fetch } = {}) =>
  send('GET', withQuery('/api/search', { q, type, before, limit }), { fetch });

// ---- Blocks -------------------------------------------------------------------------------

/** Block someone silently (idempotent; yourself → 422). */
export const block = (userId) => send('POST', `/api/users/${userId}/block`);

export const unblock = (userId) => send('DELETE', `/api/users/${userId}/block`);

/** The people I blocked, newest first: user cards. */
export const getBlocks = ({ before, limit, fetch } = {}) =>
  send('GET', withQuery('/api/blocks', { before, limit }), { fetch });

// ---- Groups (answers that notifications carry) ------------------------------------------

/** @param {'accept' | 'decline'} action */
export const answerGroupInvitation = (id, action) =>
  send('POST', `/api/group-invitations/${id}/${action}`);

/** @param {'accept' | 'decline'} action (the group's creator only) */
export const answerGroupJoinRequest = (id, action) =>
  send('POST', `/api/group-join-requests/${id}/${action}`);

// ---- Groups and events (owned by the groups pages) ----------------------------------------

/** Every group (search by title), newest first, with `my_state` ∈ none|invited|requested|member|creator. */
export const getGroups = ({ q, before, limit, fetch } = {}) =>
  send('GET', withQuery('/api/groups', { q, before, limit }), { fetch });

/** @param {{title: string, description: string}} fields → `{group}`; 422 with `fields` */
export const createGroup = (fields) => send('POST', '/api/groups', { json: fields });

/** `{group}` for any logged-in user. */
export const getGroup = (id, { fetch } = {}) => send('GET', `/api/groups/${id}`, { fetch });

/** Members only (404 otherwise): `{items: [{...card, is_creator, joined_at}], next}`. */
export const getGroupMembers = (id, { before, limit } = {}) =>
  send('GET', withQuery(`/api/groups/${id}/members`, { before, limit }));

/** → `{invitation: {id, status}}`; 403 for a non-member, 409 when `userId` is a member. */
export const inviteToGroup = (groupId, userId) =>
  send('POST', `/api/groups/${groupId}/invitations`, { json: { user_id: userId } });

/** → `{request: {id, status}}`; 409 for a member. */
export const requestToJoinGroup = (id) => send('POST', `/api/groups/${id}/join-requests`);

/** Withdraw my pending request to join: 204 (also when there was none). */
export const cancelJoinRequest = (id) => send('DELETE', `/api/groups/${id}/join-requests`);

/** Pending requests, the creator only: `{items: [{id, status, user: <card>, created_at}], next}`. */
export const getJoinRequests = (id, { before, limit } = {}) =>
  send('GET', withQuery(`/api/groups/${id}/join-requests`, { before, limit }));

/** 409 for the creator. */
export const leaveGroup = (id) => send('POST', `/api/groups/${id}/leave`);

/** Members only (404 otherwise). */
export const getGroupPosts = (id, { before, limit } = {}) =>
  send('GET', withQuery(`/api/groups/${id}/posts`, { before, limit }));

/** Members only: `{items: [<event>], next}`. */
export const getGroupEvents = (id, { before, limit } = {}) =>
  send('GET', withQuery(`/api/groups/${id}/events`, { before, limit }));

/** @param {{title: string, description: string, starts_at: string}} fields starts_at with a zone → `{event}` */
export const createEvent = (groupId, fields) =>
  send('POST', `/api/groups/${groupId}/events`, { json: fields });

export const getEvent = (id) => send('GET', `/api/events/${id}`);

/** @param {'going' | 'not_going'} response → `{event}` with the new counts */
export const respondToEvent = (id, response) =>
  send('PUT', `/api/events/${id}/response`, { json: { response } });

/** `{items: [{user: <card>, response}]}` */
export const getEventResponses = (id) => send('GET', `/api/events/${id}/responses`);

// ---- Chat (owned by the messages pages) ---------------------------------------------------

/** `conversation` is `{kind: 'direct' | 'group', id}`; a direct one is named by the other person. */
const chatPath = ({ kind, id }) => (kind === 'group' ? `/api/groups/${id}` : `/api/chats/direct/${id}`);

/** My conversations, most recent first: `{items: [{kind, id, peer | group, last_message, unread_count}]}`. */
export const getChats = () => send('GET', '/api/chats');

/** A conversation's messages, newest first: `{items: [<message>], next}`. */
export const getChatMessages = (conversation, { before, limit } = {}) =>
  send('GET', withQuery(`${chatPath(conversation)}/messages`, { before, limit }));

/** The HTTP fallback of `chat.send` → `{message}`; 403 `chat_not_allowed` when refused. */
export const postChatMessage = (conversation, { body, client_msg_id }) =>
  send('POST', `${chatPath(conversation)}/messages`, { json: { body, client_msg_id } });

/** The HTTP fallback of `chat.read`. */
export const markChatRead = ({ kind, id }, upTo) =>
  send('POST', `/api/chats/${kind}/${id}/read`, { json: { up_to: upTo } });

// ---- Notifications ----------------------------------------------------------------------

/** Newest first: `{items: [<notification>], next}`. */
export const getNotifications = ({ unread, before, limit } = {}) =>
  send('GET', withQuery('/api/notifications', { unread, before, limit }));

/** `{count}` */
export const getUnreadCount = () => send('GET', '/api/notifications/unread-count');

export const markNotificationRead = (id) => send('POST', `/api/notifications/${id}/read`);

export const markAllNotificationsRead = () => send('POST', '/api/notifications/read-all');
