// A certified OpenID provider (panva's oidc-provider) on loopback, for single sign-on tests
// (tests/oidc_node.py starts it). Configured by one JSON object in OIDC_TEST_CONFIG:
//   client_id, client_secret, redirect_uri: our registered client;
//   account: {sub, email, email_verified}: the person who signs in (no login form: they are
//     signed in and consent as soon as the provider asks);
//   issuer_host: serve on 127.0.0.1 but call itself by this host (a discovery issuer that is
//     not the URL it was fetched from);
//   foreign_jwks: publish a key set whose key has the signing key's kid but not its value;
//   tamper_id_token: change the ID token's payload after it was signed;
//   broken_jwks: answer the key set's address with a server error.
// Prints one line of JSON, {"url": ..., "issuer": ...}, once it is listening.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG || '{}');
const account = config.account || { sub: 'test-person', email: 'test@example.nhs.uk', email_verified: true };

function signingJwk(kid) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
}

function publicPart({ kty, n, e, kid, alg, use }) {
  return { kty, n, e, kid, alg, use };
}

const kid = randomBytes(8).toString('hex');
const signingKey = signingJwk(kid);
const foreignKey = signingJwk(kid);

let provider;
const server = http.createServer((req, res) => {
  const path = new URL(req.url, 'http://127.0.0.1').pathname;
  if (config.foreign_jwks && path === '/jwks') {
    res.setHeader('Content-Type', 'application/jwk-set+json');
    res.end(JSON.stringify({ keys: [publicPart(foreignKey)] }));
    return;
  }
  if (config.broken_jwks && path === '/jwks') {
    res.statusCode = 500;
    res.end();
    return;
  }
  if (path.startsWith('/interaction/')) {
    signInAndConsent(req, res).catch((error) => {
      res.statusCode = 500;
      res.end(String(error));
    });
    return;
  }
  if (config.tamper_id_token && path === '/token') {
    tamperWithIdToken(res);
  }
  provider.callback()(req, res);
});

// The person is signed in as `account` and agrees to what the client asked for.
async function signInAndConsent(req, res) {
  const { prompt, params, session, grantId } = await provider.interactionDetails(req, res);
  if (prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId: account.sub } });
    return;
  }
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } });
}

// Replace the signed ID token's payload (a different email address) and keep its signature.
function tamperWithIdToken(res) {
  const end = res.end.bind(res);
  res.end = (body, ...rest) => {
    if (body) {
      const answer = JSON.parse(body.toString());
      if (answer.id_token) {
        const [header, payload, signature] = answer.id_token.split('.');
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
        claims.email = 'someone.else@example.nhs.uk';
        const forged = Buffer.from(JSON.stringify(claims)).toString('base64url');
        answer.id_token = [header, forged, signature].join('.');
        body = JSON.stringify(answer);
        res.setHeader('Content-Length', Buffer.byteLength(body));
      }
    }
    return end(body, ...rest);
  };
}

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const url = `http://127.0.0.1:${port}`;
  const issuer = config.issuer_host ? `http://${config.issuer_host}:${port}` : url;
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: config.client_id,
        client_secret: config.client_secret,
        redirect_uris: [config.redirect_uri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    async findAccount(ctx, id) {
      if (id !== account.sub) return undefined;
      return { accountId: id, async claims() { return { ...account, sub: id }; } };
    },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
  });
  // Served on 127.0.0.1 even when it calls itself something else.
  provider.proxy = false;
  process.stdout.write(`${JSON.stringify({ url, issuer })}\n`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
