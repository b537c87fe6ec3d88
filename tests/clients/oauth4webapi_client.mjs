// A strict client, oauth4webapi, against the server: discovery with its
// issuer check, client_credentials with a wrong then the right secret sent in
// the body, and a code flow whose authorization response must name the issuer
// (RFC 9207). Prints what each step gave as JSON for the Python test.
// Usage: node oauth4webapi_client.mjs ISSUER CLIENT_ID SECRET CALLBACK_URL STATE REDIRECT_URI
import * as oauth from "oauth4webapi";
import {clientCredentials, discover, exchangeCode, failure, print} from "./shared.mjs";

const [issuer, clientId, secret, callbackUrl, state, redirectUri] =
    process.argv.slice(2);
const client = {client_id: clientId};
const result = {};

const as = await discover(issuer);
result.issuer = as.issuer;

try {
    await clientCredentials(
        as,
        client,
        oauth.ClientSecretPost("not-the-secret-of-this-client-at-all")
    );
    result.wrong_secret = {kind: "accepted"};
} catch (error) {
    result.wrong_secret = failure(error);
}

const issued = await clientCredentials(as, client, oauth.ClientSecretPost(secret));
result.client_credentials = {token_type: issued.token_type, scope: issued.scope};

try {
    const tokens = await exchangeCode(as, client, oauth.ClientSecretBasic(secret), {
        callbackUrl,
        state,
        redirectUri,
        codeVerifier: oauth.nopkce,
    });
    result.code_flow = {token_type: tokens.token_type, refresh: !!tokens.refresh_token};
} catch (error) {
    result.code_flow = failure(error);
}

print(result);
