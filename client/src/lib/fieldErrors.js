// The server's word on a field, in the client's voice. The server's field messages are short
// phrases ("must be in the past", "at least 8 characters"); beside the client's own checks
// ("Enter your email address.") they read as a second voice. Here each becomes a sentence
// that says what to do, naming the field where the phrase needs it.

/** How a field is named in a sentence. */
const LABELS = {
  email: 'email',
  password: 'password',
  new_password: 'new password',
  current_password: 'current password',
  first_name: 'first name',
  last_name: 'last name',
  date_of_birth: 'date of birth',
  nickname: 'nickname',
  about_me: 'about me',
  body: 'text',
  title: 'title',
  description: 'description',
  starts_at: 'day and time',
  is_public: 'visibility'
};

/** Phrases with a better sentence than the rules below make. */
const KNOWN = {
  'a real date as YYYY-MM-DD': 'Enter a real date.',
  'must be in the past': (label) => `Enter a ${label} in the past.`,
  'must not be before 1900': (label) => `Enter a ${label} from 1900 on.`,
  'must be in the future': (label) => `Choose a ${label} in the future.`,
  'already registered': 'This email is already registered.',
  'write something or add an image': 'Write something or add an image.',
  'pick at least one follower': 'Pick at least one follower.'
};

const capital = (text) => text.charAt(0).toUpperCase() + text.slice(1);
const stop = (text) => (/[.!?]$/.test(text) ? text : `${text}.`);

/**
 * @param {string} field the API's field name
 * @param {string} text the server's message for it
 */
export function fieldSentence(field, text) {
  const said = (text ?? '').trim();
  if (!said) return '';
  const label = LABELS[field] ?? field.replaceAll('_', ' ');
  const known = KNOWN[said];
  if (known) return typeof known === 'function' ? known(label) : known;
  if (/^[A-Z]/.test(said)) return stop(said); // already a sentence (a library's words)
  if (/^at (least|most) /.test(said)) return stop(`Use ${said}`);
  if (/^(must|cannot|is|are) /.test(said)) return stop(`The ${label} ${said}`);
  if (/ is required$/.test(said) || said === 'required') return stop(`Enter the ${label}`);
  return stop(capital(said));
}

/**
 * A failed request's field messages as sentences, for the fields a form shows; the rest, and
 * an error without fields, go to `general`.
 * @param {{code?: string, message?: string, fields?: Record<string, string>}} err
 * @param {string[]} fields
 */
export function fieldErrors(err, fields) {
  const given = Object.entries(err?.fields ?? {});
  if (err?.code !== 'validation_error' || given.length === 0) {
    return { general: err?.message ?? 'Something went wrong. Please try again.' };
  }
  const errors = {};
  const other = [];
  for (const [name, text] of given) {
    if (fields.includes(name)) errors[name] = fieldSentence(name, text);
    else other.push(fieldSentence(name, text));
  }
  if (other.length) errors.general = other.join(' ');
  return errors;
}

/** The date the birth-date fields allow at most: today, in the browser's time zone. */
export function todayIso(now = new Date()) {
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 10);
}

/** The client's check of a date of birth (SPEC: a real date, in the past, not before 1900). */
export function checkBirthDate(value, today = todayIso()) {
  if (!value) return 'Enter your date of birth.';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return 'Enter a real date.';
  if (value >= today) return 'Enter a date of birth in the past.';
  if (value < '1900-01-01') return 'Enter a date of birth from 1900 on.';
  return '';
}
