// What the login and register pages load: the sign-in providers. A failure to list them must
// not cost anyone the password form, so it shows none.
import { getProviders } from '$lib/api.js';

export async function loadProviders(fetch) {
  try {
    return (await getProviders({ fetch })).items;
  } catch {
    return [];
  }
}

// Why a sign-in through a provider came back to /login?error=...
const REASONS = {
  state: 'That sign-in could not be checked (it expired or did not start here). Please try again.',
  nonce: 'The provider’s answer did not belong to this sign-in. Please try again.',
  provider: 'The provider’s answer could not be verified. Please try again.',
  provider_refused: 'The sign-in was cancelled at the provider.',
  provider_unavailable: 'The provider cannot be reached right now. Try again later.',
  email_unverified:
    'An account already uses this email, and the provider did not confirm it is yours. Log in with your password.',
  no_email: 'The provider did not give an email address, which every account needs.'
};

export const signInProblem = (reason) =>
  reason ? (REASONS[reason] ?? 'The sign-in did not work. Please try again.') : '';
