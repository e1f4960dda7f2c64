import { describe, expect, it } from 'vitest';
import { checkBirthDate, fieldErrors, fieldSentence, todayIso } from './fieldErrors.js';

describe('fieldSentence', () => {
  it('turns the server’s phrases into sentences in the client’s voice', () => {
    expect(fieldSentence('date_of_birth', 'must be in the past')).toBe('Enter a date of birth in the past.');
    expect(fieldSentence('date_of_birth', 'must not be before 1900')).toBe('Enter a date of birth from 1900 on.');
    expect(fieldSentence('starts_at', 'must be in the future')).toBe('Choose a day and time in the future.');
    expect(fieldSentence('password', 'at least 8 characters')).toBe('Use at least 8 characters.');
    expect(fieldSentence('nickname', 'at most 50 characters')).toBe('Use at most 50 characters.');
    expect(fieldSentence('email', 'already registered')).toBe('This email is already registered.');
    expect(fieldSentence('first_name', 'first name is required')).toBe('Enter the first name.');
    expect(fieldSentence('body', 'write something or add an image')).toBe('Write something or add an image.');
    expect(fieldSentence('email', 'The domain name nowhere does not exist.')).toBe(
      'The domain name nowhere does not exist.'
    );
    expect(fieldSentence('title', 'cannot be empty')).toBe('The title cannot be empty.');
  });
});

describe('fieldErrors', () => {
  it('puts each field’s sentence beside it and the rest in general', () => {
    const err = { code: 'validation_error', message: 'Invalid.', fields: { email: 'already registered', x: 'odd' } };
    expect(fieldErrors(err, ['email'])).toEqual({ email: 'This email is already registered.', general: 'Odd.' });
    expect(fieldErrors({ code: 'rate_limited', message: 'Slow down.' }, ['email'])).toEqual({ general: 'Slow down.' });
  });
});

describe('checkBirthDate', () => {
  it('wants a real date, before today, from 1900 on', () => {
    const today = '2026-05-01';
    expect(checkBirthDate('', today)).toBe('Enter your date of birth.');
    expect(checkBirthDate('2999-01-01', today)).toBe('Enter a date of birth in the past.');
    expect(checkBirthDate('2026-05-01', today)).toBe('Enter a date of birth in the past.');
    expect(checkBirthDate('1899-12-31', today)).toBe('Enter a date of birth from 1900 on.');
    expect(checkBirthDate('1990-12-10', today)).toBe('');
  });

  it('takes today in the browser’s own time zone', () => {
    expect(todayIso(new Date(2026, 4, 1, 23, 30))).toBe('2026-05-01');
  });
});
