// A real OpenID Connect provider for the test suites: oidc-provider (the certified Node
// implementation) with its development login and consent pages, on 127.0.0.1.
//
//   node provider.mjs <port> <redirect_uri> [<redirect_uri>...]
//
// One client: socialnet-test / test-secret (client_secret_basic), authorization code with
// PKCE (S256, required). Any login signs in, and the login decides who you are:
//   "ada"            sub "ada", email ada@example.com, email_verified true, Ada Provider
//   "unverified-ada" sub "unverified-ada", email ada@example.com, email_verified false
// Prints "ready <issuer>" once it listens; stops on SIGTERM or when its stdin closes.
import Provider from 'oidc-provider';

const [port, ...redirectUris] = process.argv.slice(2);
if (!port || redirectUris.length === 0) {
  console.error('usage: node provider.mjs <port> <redirect_uri>...');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

function claimsOf(sub) {
  const unverified = sub.startsWith('unverified-');
  const name = unverified ? sub.slice('unverified-'.length) : sub;
  const given = name.charAt(0).toUpperCase() + name.slice(1);
  return {
    sub,
    email: `${name}@example.com`,
    email_verified: !unverified,
    given_name: given,
    family_name: 'Provider',
    name: `${given} Provider`
  };
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'socialnet-test',
      client_secret: 'test-secret',
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic'
    }
  ],
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name']
  },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['a test key, for the test provider only'] },
  async findAccount(ctx, sub) {
    return { accountId: sub, claims: async () => claimsOf(sub) };
  }
});
// Quiet: the dev-mode warnings say what we know (development keys and pages).
provider.on('server_error', (ctx, error) => console.error('server_error', error));

const server = provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
