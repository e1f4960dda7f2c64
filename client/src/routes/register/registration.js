// Quick checks before the request, so obvious mistakes need no round trip.
// The server stays the authority: its 422 `fields` are shown the same way, in the same voice.
import { checkBirthDate, fieldErrors } from '$lib/fieldErrors.js';

/** Field names of the register form, in form order (the keys of API.md's `fields`). */
export const FIELDS = [
  'email',
  'password',
  'first_name',
  'last_name',
  'date_of_birth',
  'avatar',
  'nickname',
  'about_me'
];

export const MIN_PASSWORD_LENGTH = 8;

/** @returns {Record<string, string>} a message per invalid field, empty when all is well */
export function checkRegistration(values) {
  const errors = {};
  const email = values.email.trim();
  if (!email) errors.email = 'Enter your email address.';
  else if (!/^[^\s@]+@[^\s@]+$/.test(email)) errors.email = 'Enter a valid email address.';

  if (!values.password) errors.password = 'Choose a password.';
  else if ([...values.password].length < MIN_PASSWORD_LENGTH)
    errors.password = `Use at least ${MIN_PASSWORD_LENGTH} characters.`;

  if (!values.first_name.trim()) errors.first_name = 'Enter your first name.';
  if (!values.last_name.trim()) errors.last_name = 'Enter your last name.';
  const birth = checkBirthDate(values.date_of_birth);
  if (birth) errors.date_of_birth = birth;
  return errors;
}

/** The multipart body of POST /api/auth/register; empty optional fields are left out. */
export function registrationForm(values, avatar) {
  const form = new FormData();
  form.append('email', values.email.trim());
  form.append('password', values.password);
  form.append('first_name', values.first_name.trim());
  form.append('last_name', values.last_name.trim());
  form.append('date_of_birth', values.date_of_birth);
  for (const name of ['nickname', 'about_me']) {
    const value = values[name].trim();
    if (value) form.append(name, value);
  }
  if (avatar) form.append('avatar', avatar);
  form.append('is_public', values.is_public ? 'true' : 'false');
  return form;
}

/**
 * Turn a failed registration into messages: one per field where the server names one,
 * plus `general` for anything that belongs to no field.
 */
export function registrationErrors(err) {
  if (err.code === 'email_taken') return { email: 'This email is already registered.' };
  if (err.status === 413 || err.status === 415) return { avatar: err.message };
  return fieldErrors(err, FIELDS);
}
