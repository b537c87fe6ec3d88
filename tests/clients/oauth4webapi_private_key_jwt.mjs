// oauth4webapi authenticating with keys (RFC 7523): client_credentials with
// PrivateKeyJwt for each key given, introspection and revocation of the last
// token with PrivateKeyJwt, and client_credentials with ClientSecretJwt.
// Prints what each step gave as JSON for the Python test.
// Usage: node oauth4webapi_private_key_jwt.mjs ISSUER CLIENT_ID KEYS_JSON HMAC_CLIENT_ID HMAC_SECRET
// KEYS_JSON: [{"alg": "ES256", "kid": "ec-1", "pem": "-----BEGIN PRIVATE KEY-----..."}]
import * as oauth from "oauth4webapi";
import {importPKCS8} from "jose";

const [issuer, clientId, keysJson, hmacClientId, hmacSecret] = process.argv.slice(2);
// The test server speaks plain http on a loopback address.
const insecure = {[oauth.allowInsecureRequests]: true};
const client = {client_id: clientId};
const result = {signed: {}};

const as = await oauth.processDiscoveryResponse(
    new URL(issuer),
    await oauth.discoveryRequest(new URL(issuer), {algorithm: "oauth2", ...insecure})
);

let lastAuth = null;
let lastToken = null;
for (const {alg, kid, pem} of JSON.parse(keysJson)) {
    const key = await importPKCS8(pem, alg);
    const auth = oauth.PrivateKeyJwt({key, kid});
    const issued = await oauth.processClientCredentialsResponse(
        as,
        client,
        await oauth.clientCredentialsGrantRequest(
            as,
            client,
            auth,
            {scope: "read"},
            insecure
        )
    );
    result.signed[alg] = {token_type: issued.token_type, scope: issued.scope};
    lastAuth = auth;
    lastToken = issued.access_token;
}

const introspection = await oauth.processIntrospectionResponse(
    as,
    client,
    await oauth.introspectionRequest(as, client, lastAuth, lastToken, insecure)
);
result.introspection = {active: introspection.active, client_id: introspection.client_id};

await oauth.processRevocationResponse(
    await oauth.revocationRequest(as, client, lastAuth, lastToken, insecure)
);
const revoked = await oauth.processIntrospectionResponse(
    as,
    client,
    await oauth.introspectionRequest(as, client, lastAuth, lastToken, insecure)
);
result.after_revocation = {active: revoked.active};

const hmacClient = {client_id: hmacClientId};
const hmacIssued = await oauth.processClientCredentialsResponse(
    as,
    hmacClient,
    await oauth.clientCredentialsGrantRequest(
        as,
        hmacClient,
        oauth.ClientSecretJwt(hmacSecret),
        {scope: "read"},
        insecure
    )
);
result.client_secret_jwt = {token_type: hmacIssued.token_type};

console.log(JSON.stringify(result));
