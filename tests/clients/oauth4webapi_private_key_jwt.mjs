// oauth4webapi authenticating with keys (RFC 7523): client_credentials with
// PrivateKeyJwt for each key given, introspection and revocation of the last
// token with PrivateKeyJwt, and client_credentials with ClientSecretJwt.
// Prints what each step gave as JSON for the Python test.
// Usage: node oauth4webapi_private_key_jwt.mjs ISSUER CLIENT_ID KEYS_JSON HMAC_CLIENT_ID HMAC_SECRET
// KEYS_JSON: [{"alg": "ES256", "kid": "ec-1", "pem": "-----BEGIN PRIVATE KEY-----..."}]
import * as oauth from "oauth4webapi";
import {clientCredentials, discover, insecure, print, signingKey} from "./shared.mjs";

const [issuer, clientId, keysJson, hmacClientId, hmacSecret] = process.argv.slice(2);
const client = {client_id: clientId};
const result = {signed: {}};

const as = await discover(issuer);

let lastAuth = null;
let lastToken = null;
for (const key of JSON.parse(keysJson)) {
    const auth = oauth.PrivateKeyJwt(await signingKey(key));
    const issued = await clientCredentials(as, client, auth);
    result.signed[key.alg] = {token_type: issued.token_type, scope: issued.scope};
    lastAuth = auth;
    lastToken = issued.access_token;
}

async function introspect() {
    return oauth.processIntrospectionResponse(
        as,
        client,
        await oauth.introspectionRequest(as, client, lastAuth, lastToken, insecure)
    );
}

const introspection = await introspect();
result.introspection = {
    active: introspection.active,
    client_id: introspection.client_id,
};

await oauth.processRevocationResponse(
    await oauth.revocationRequest(as, client, lastAuth, lastToken, insecure)
);
result.after_revocation = {active: (await introspect()).active};

const hmacIssued = await clientCredentials(
    as,
    {client_id: hmacClientId},
    oauth.ClientSecretJwt(hmacSecret)
);
result.client_secret_jwt = {token_type: hmacIssued.token_type};

print(result);
