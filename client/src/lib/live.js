// How many live count frames have changed an item (a post or comment the page shows). An
// answer to one's own request replaces counts only when no live frame came in meanwhile: a
// frame is the newer word, and the frame for one's own change follows anyway.

const frames = new WeakMap();

/** The number of live count frames applied to `item` so far. */
export const liveFrames = (item) => frames.get(item) ?? 0;

/** Count one live frame applied to `item`. */
export const markLive = (item) => frames.set(item, liveFrames(item) + 1);
