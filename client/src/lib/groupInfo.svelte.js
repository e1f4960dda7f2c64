// What a post card needs to know of a group it names: its title (a group post shows where it
// was posted) and whether the viewer created it (the creator may delete its posts and
// comments). `<post>` carries only `group_id`, so the group is asked for once per id and
// remembered for the session's user; pages that have the group already hand it over.
import { getGroup } from '$lib/api.js';
import { session } from '$lib/state/session.svelte.js';

/** id → {title, isCreator} */
const known = $state({});
const asked = new Set();
let owner = null; // the user these answers were for

function forUser() {
  const userId = session.user?.id ?? null;
  if (userId === owner) return;
  owner = userId;
  asked.clear();
  for (const id of Object.keys(known)) delete known[id];
}

/** A group the page has (`my_state` as GET /api/groups/{id} gives it). */
export function rememberGroup(group) {
  forUser();
  asked.add(group.id);
  known[group.id] = { title: group.title, isCreator: group.my_state === 'creator' };
}

/** `{title, isCreator}` of the group, or undefined until known. Call askGroup first. */
export const groupInfo = (id) => known[id];

/** Ask the server once for a group not known yet (from an effect: it writes state later). */
export function askGroup(id) {
  forUser();
  if (asked.has(id)) return;
  asked.add(id);
  getGroup(id).then(
    ({ group }) => {
      if (owner === (session.user?.id ?? null)) rememberGroup(group);
    },
    () => asked.delete(id) // asked again by the next card that shows it
  );
}
