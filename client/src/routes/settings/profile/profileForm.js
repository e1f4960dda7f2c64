// The profile form's logic: what changed, quick checks, and where the server's errors go.
import { fieldErrors } from '$lib/fieldErrors.js';

export const FIELDS = ['first_name', 'last_name', 'nickname', 'about_me'];

/** The form's values for a `<me>`. */
export const valuesOf = (user) =>
  Object.fromEntries(FIELDS.map((name) => [name, user?.[name] ?? '']));

/** Only the fields that differ from `user`, trimmed; an emptied optional field is sent as ''. */
export function changedFields(values, user) {
  const changes = {};
  for (const name of FIELDS) {
    const value = values[name].trim();
    if (value !== (user?.[name] ?? '')) changes[name] = value;
  }
  return changes;
}

export function checkProfile(values) {
  const errors = {};
  if (!values.first_name.trim()) errors.first_name = 'Enter your first name.';
  if (!values.last_name.trim()) errors.last_name = 'Enter your last name.';
  return errors;
}

/** A failed save as messages: per field where the server names one, else `general`. */
export const profileErrors = (err) => fieldErrors(err, FIELDS);
