// The OpenID Connect provider tests/test_oidc.py signs in through: panva's oidc-provider
// (an OpenID Certified implementation), with its own sign-in and consent pages
// (devInteractions), one client (the dashboard) and the test's accounts.
//
//   node provider.js CONFIG.json
//
// CONFIG.json: {"issuer": "http://localhost:PORT", "port": PORT,
//               "client": {client_id, client_secret, redirect_uris, post_logout_redirect_uris},
//               "accounts": {"<login>": {<claims>}, ...}}
// An account's claims are released with the scopes `profile` (name, preferred_username) and
// `fee` (fee_role, fee_stations, fee_collector), in the ID token too (conformIdTokenClaims
// off), since Streamlit reads the user from the ID token. A login that is not an account
// cannot sign in. Prints "ready" once it listens on 127.0.0.1:PORT.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { accounts } = config;

const provider = new Provider(config.issuer, {
  clients: [{
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...config.client,
  }],
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    fee: ['fee_role', 'fee_stations', 'fee_collector'],
  },
  conformIdTokenClaims: false,
  async findAccount(ctx, id) {
    if (!Object.hasOwn(accounts, id)) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...accounts[id] }) };
  },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
});

createServer(provider.callback()).listen(config.port, '127.0.0.1', () => {
  console.log('ready');
});
