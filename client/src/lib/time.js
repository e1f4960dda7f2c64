// Dates for people: "5 minutes ago" for the recent past, a calendar date beyond a week.

const UNITS = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7]
];

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/**
 * @param {string} iso an ISO 8601 time
 * @param {number} now milliseconds since the epoch
 */
export function relativeTime(iso, now = Date.now()) {
  const then = new Date(iso);
  if (Number.isNaN(then.getTime())) return '';
  let amount = (then.getTime() - now) / 1000;
  if (Math.abs(amount) < 45) return 'just now';
  for (const [unit, size] of UNITS) {
    if (Math.abs(amount) < size) return relative.format(Math.round(amount), unit);
    amount /= size;
  }
  return formatDate(iso);
}

/** "12 March 2024" (a date of birth, a day) */
export function formatDate(iso) {
  // A bare YYYY-MM-DD is a calendar day: read it as such, not as midnight UTC.
  const date = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T00:00:00`) : new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleDateString(undefined, { day: 'numeric', month: 'long', year: 'numeric' });
}

/**
 * "Tuesday 12 March, 18:30" (an event, the exact time of a post; "2:00 PM", not "02:00 PM",
 * where the locale counts 12 hours); the year too when it is not this one ("Saturday 15 June
 * 2030, 14:00"), as an event years ahead or a post of last year needs.
 * @param {string} iso
 * @param {number} now milliseconds since the epoch
 */
export function formatDateTime(iso, now = Date.now()) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleString(undefined, {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: date.getFullYear() === new Date(now).getFullYear() ? undefined : 'numeric',
    hour: 'numeric',
    minute: '2-digit'
  });
}

/** "March 2024" (member since) */
export function formatMonth(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleDateString(undefined, { month: 'long', year: 'numeric' });
}
