import { describe, expect, it } from 'vitest';
import { ApiError } from '$lib/api.js';
import { changedFields, checkProfile, profileErrors, valuesOf } from './profileForm.js';

const ME = { id: 1, first_name: 'Ada', last_name: 'Lovelace', nickname: null, about_me: 'Numbers.', is_public: true };

describe('profile form', () => {
  it('starts from the user, empty strings for missing fields', () => {
    expect(valuesOf(ME)).toEqual({ first_name: 'Ada', last_name: 'Lovelace', nickname: '', about_me: 'Numbers.' });
  });

  it('sends only what changed, trimmed; an emptied field as ""', () => {
    const values = { ...valuesOf(ME), first_name: ' Ada ', nickname: ' countess ', about_me: '' };
    expect(changedFields(values, ME)).toEqual({ nickname: 'countess', about_me: '' });
    expect(changedFields(valuesOf(ME), ME)).toEqual({});
  });

  it('requires both names', () => {
    expect(checkProfile({ ...valuesOf(ME), first_name: ' ', last_name: '' })).toEqual({
      first_name: 'Enter your first name.',
      last_name: 'Enter your last name.'
    });
  });

  it('puts server messages next to their fields', () => {
    const err = new ApiError(422, 'validation_error', 'Check the form.', { nickname: 'at most 40 characters', x: 'odd' });
    expect(profileErrors(err)).toEqual({ nickname: 'Use at most 40 characters.', general: 'Odd.' });
    expect(profileErrors(new ApiError(0, 'network_error', 'Offline.'))).toEqual({ general: 'Offline.' });
  });
});
