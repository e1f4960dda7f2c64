// Reactions to posts and comments (API.md, Posts and comments: Reactions): the six kinds, the
// counts by kind as people read them, and changing one's own reaction optimistically.
import { react, unreact } from '$lib/api.js';
import { liveFrames } from '$lib/live.js';

/** The kinds in the order the picker offers them. */
export const KINDS = [
  { kind: 'like', emoji: '👍', label: 'Like' },
  { kind: 'love', emoji: '❤️', label: 'Love' },
  { kind: 'haha', emoji: '😆', label: 'Haha' },
  { kind: 'wow', emoji: '😮', label: 'Wow' },
  { kind: 'sad', emoji: '😢', label: 'Sad' },
  { kind: 'angry', emoji: '😠', label: 'Angry' }
];

const BY_KIND = Object.fromEntries(KINDS.map((k) => [k.kind, k]));

/** `{kind, emoji, label}` of a kind; unknown kinds (a newer server) get a neutral face. */
export const reactionOf = (kind) => BY_KIND[kind] ?? { kind, emoji: '🙂', label: kind };

/** How many reacted, all kinds together. */
export const totalOf = (reactions) =>
  Object.values(reactions ?? {}).reduce((sum, count) => sum + (count > 0 ? count : 0), 0);

/** The kinds present, most frequent first (ties in the picker's order), at most `n`. */
export function topKinds(reactions, n = KINDS.length) {
  const order = (kind) => (BY_KIND[kind] ? KINDS.indexOf(BY_KIND[kind]) : KINDS.length);
  return Object.entries(reactions ?? {})
    .filter(([, count]) => count > 0)
    .sort(([a, x], [b, y]) => y - x || order(a) - order(b))
    .slice(0, n)
    .map(([kind]) => kind);
}

/** "3 reactions: 2 Like, 1 Haha" (what the summary button says to assistive technology). */
export function describeReactions(reactions) {
  const total = totalOf(reactions);
  const parts = topKinds(reactions).map((kind) => `${reactions[kind]} ${reactionOf(kind).label}`);
  return `${total} ${total === 1 ? 'reaction' : 'reactions'}: ${parts.join(', ')}`;
}

/** The counts once one person's reaction goes from `from` to `to` (either may be null). */
export function withReaction(reactions, from, to) {
  const counts = { ...(reactions ?? {}) };
  if (from) {
    counts[from] = (counts[from] ?? 0) - 1;
    if (counts[from] <= 0) delete counts[from];
  }
  if (to) counts[to] = (counts[to] ?? 0) + 1;
  return counts;
}

const latest = new WeakMap(); // item → the number of its latest change
let changes = 0;

/**
 * Set my reaction to a post or comment (`next`: a kind, or null to withdraw), shown at once
 * and undone if the server refuses (the refusal is thrown). `item` is the reactive object the
 * page shows. When changes overlap, the last one decides. The server's counts replace ours
 * unless a live frame brought newer ones meanwhile.
 * @param {'posts' | 'comments'} which
 * @param {{id: number, reactions: Record<string, number>, my_reaction?: string | null}} item
 * @param {string | null} next
 */
export async function changeReaction(which, item, next) {
  const before = item.my_reaction ?? null;
  if (before === next) return;
  const mine = ++changes;
  latest.set(item, mine);
  const framesBefore = liveFrames(item);
  item.reactions = withReaction(item.reactions, before, next);
  item.my_reaction = next;
  try {
    const answer = next ? await react(which, item.id, next) : await unreact(which, item.id);
    if (latest.get(item) !== mine) return;
    const fresh = answer?.post ?? answer?.comment;
    if (fresh && liveFrames(item) === framesBefore) item.reactions = fresh.reactions ?? {};
    if (fresh) item.my_reaction = fresh.my_reaction ?? null;
  } catch (err) {
    if (latest.get(item) === mine) {
      item.reactions = withReaction(item.reactions, next, before);
      item.my_reaction = before;
    }
    throw err;
  }
}
