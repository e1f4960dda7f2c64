import { describe, expect, it } from 'vitest';
import { ApiError } from '$lib/api.js';
import { checkRegistration, registrationErrors, registrationForm } from './registration.js';

const VALUES = {
  email: ' ada@example.com ',
  password: 'correct horse',
  first_name: 'Ada',
  last_name: 'Lovelace',
  date_of_birth: '1990-12-10',
  nickname: '  ',
  about_me: 'Numbers.',
  is_public: false
};

describe('checkRegistration', () => {
  it('accepts a complete form', () => {
    expect(checkRegistration(VALUES)).toEqual({});
  });

  it('names missing fields and a short password', () => {
    const errors = checkRegistration({ ...VALUES, email: '', password: 'short', last_name: ' ', date_of_birth: '' });
    expect(Object.keys(errors).sort()).toEqual(['date_of_birth', 'email', 'last_name', 'password']);
  });
});

describe('registrationForm', () => {
  it('trims, leaves out empty optional fields and sends is_public as text', () => {
    const form = registrationForm(VALUES, null);
    expect(form.get('email')).toBe('ada@example.com');
    expect(form.has('nickname')).toBe(false);
    expect(form.has('avatar')).toBe(false);
    expect(form.get('about_me')).toBe('Numbers.');
    expect(form.get('is_public')).toBe('false');
  });
});

describe('registrationErrors', () => {
  it('puts server messages next to their fields', () => {
    const err = new ApiError(422, 'validation_error', 'Check the form.', {
      date_of_birth: 'must be in the past',
      is_public: 'must be true or false'
    });
    // In the client's voice: what to do, as its own checks say it.
    expect(registrationErrors(err)).toEqual({
      date_of_birth: 'Enter a date of birth in the past.',
      general: 'The visibility must be true or false.'
    });
  });

  it('places a taken email and a refused avatar', () => {
    expect(registrationErrors(new ApiError(409, 'email_taken', 'Taken.'))).toEqual({
      email: 'This email is already registered.'
    });
    expect(registrationErrors(new ApiError(415, 'unsupported_media', 'Not an image.'))).toEqual({
      avatar: 'Not an image.'
    });
  });
});
