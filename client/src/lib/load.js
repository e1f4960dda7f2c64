// What the load functions of the routes (+page.js) share: turning the API's answers into
// what SvelteKit shows (a page's load returns its data; a failure shows +error.svelte), and
// the way pages ask their load to run again.
import { error, redirect } from '@sveltejs/kit';
import { invalidate } from '$app/navigation';
import { navigating } from '$app/state';
import { ApiError } from '$lib/api.js';

/** How the error page speaks of what failed: the API's sentence, under this title. */
const FAILED = 'Something went wrong';

/**
 * The answer of an API call made by a load function. A 404 (missing, or not the viewer's to
 * see: the server answers alike) becomes SvelteKit's error(404) with `missing`, the error
 * page's title and sentence for it (without: "Page not found"); a 401 (the session ended:
 * api.js has already forgotten the user) goes back to /login; any other failure becomes the
 * error page with its message.
 * @template T
 * @param {Promise<T>} call
 * @param {{title: string, message: string}} [missing]
 * @returns {Promise<T>}
 */
export async function loaded(call, missing) {
  try {
    return await call;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status === 404) error(404, missing ?? 'Not Found');
    if (err.status === 401) redirect(307, '/login');
    // 0: the server could not be reached; a 2xx we could not read is the server's fault too.
    const status = err.status >= 400 && err.status <= 599 ? err.status : err.status === 0 ? 503 : 500;
    error(status, { title: FAILED, message: err.message });
  }
}

/**
 * A route's `[id]` as a number; anything but a positive integer is as missing as an id the
 * server does not know.
 * @param {string} value
 * @param {{title: string, message: string}} missing
 */
export function idParam(value, missing) {
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0) error(404, missing);
  return id;
}

/**
 * Run again the loads of the page on screen that depend on `key` (after an action, or live
 * news), unless the reader is already on their way to another page: SvelteKit lets an
 * invalidation win over a navigation in flight, which would cancel their click, and the page
 * being left needs no fresh data.
 * @param {`app:${string}`} key as the load declared it with `depends(key)`
 */
export function reload(key) {
  if (navigating.to) return Promise.resolve();
  return invalidate(key);
}
