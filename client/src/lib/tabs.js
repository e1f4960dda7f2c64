// WAI-ARIA tabs (the profile, group, search and reactions tablists): arrows move between tabs
// (wrapping), Home and End go to the ends; only the selected tab is in the tab order.

/**
 * The id of the tab `key` moves to from `current`, or null for a key tabs leave alone.
 * @param {string} key
 * @param {string[]} ids the tabs in order
 * @param {string} current
 */
export function tabAfterKey(key, ids, current) {
  const index = ids.indexOf(current);
  const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: ids.length - 1 };
  if (!(key in moves)) return null;
  return ids[(moves[key] + ids.length) % ids.length];
}
