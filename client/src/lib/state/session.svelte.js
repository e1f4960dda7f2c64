// Who is logged in, shared by every page. The layout calls loadSession() once at start.
import { ApiError, me, onUnauthenticated } from '$lib/api.js';

export const session = $state({
  /** The `<me>` object of API.md, or null when logged out. */
  user: null,
  /** True until the first answer of /api/auth/me. */
  loading: true,
  /** An ApiError when the session could not be checked (server unreachable), else null. */
  error: null
});

export async function loadSession() {
  session.loading = true;
  session.error = null;
  try {
    const { user } = await me();
    session.user = user;
  } catch (err) {
    session.user = null;
    if (!(err instanceof ApiError && err.status === 401)) session.error = err;
  } finally {
    session.loading = false;
  }
}

export function setUser(user) {
  session.user = user;
  session.error = null;
}

export function clearSession() {
  session.user = null;
}

// A 401 from any call means the session is gone (logged out in another tab, expired):
// forget the user and the layout sends the browser to /login.
onUnauthenticated(clearSession);
