// A strict client, oauth4webapi, against the server: discovery with its
// issuer check, client_credentials with a wrong then the right secret sent in
// the body, and a code flow whose authorization response must name the issuer
// (RFC 9207). Prints what each step gave as JSON for the Python test.
// Usage: node oauth4webapi_client.mjs ISSUER CLIENT_ID SECRET CALLBACK_URL STATE REDIRECT_URI
import * as oauth from "oauth4webapi";

const [issuer, clientId, secret, callbackUrl, state, redirectUri] =
    process.argv.slice(2);
// The test server speaks plain http on a loopback address.
const insecure = {[oauth.allowInsecureRequests]: true};
const client = {client_id: clientId};
const result = {};

function failure(error) {
    return {
        kind: error.constructor.name,
        error: error.error ?? error.cause?.error ?? null,
        message: error.message,
    };
}

const as = await oauth.processDiscoveryResponse(
    new URL(issuer),
    await oauth.discoveryRequest(new URL(issuer), {algorithm: "oauth2", ...insecure})
);
result.issuer = as.issuer;

try {
    await oauth.processClientCredentialsResponse(
        as,
        client,
        await oauth.clientCredentialsGrantRequest(
            as,
            client,
            oauth.ClientSecretPost("not-the-secret-of-this-client-at-all"),
            {scope: "read"},
            insecure
        )
    );
    result.wrong_secret = {kind: "accepted"};
} catch (error) {
    result.wrong_secret = failure(error);
}

const issued = await oauth.processClientCredentialsResponse(
    as,
    client,
    await oauth.clientCredentialsGrantRequest(
        as,
        client,
        oauth.ClientSecretPost(secret),
        {scope: "read"},
        insecure
    )
);
result.client_credentials = {token_type: issued.token_type, scope: issued.scope};

try {
    const callback = oauth.validateAuthResponse(
        as,
        client,
        new URL(callbackUrl),
        state
    );
    const tokens = await oauth.processAuthorizationCodeResponse(
        as,
        client,
        await oauth.authorizationCodeGrantRequest(
            as,
            client,
            oauth.ClientSecretBasic(secret),
            callback,
            redirectUri,
            oauth.nopkce,
            insecure
        )
    );
    result.code_flow = {token_type: tokens.token_type, refresh: !!tokens.refresh_token};
} catch (error) {
    result.code_flow = failure(error);
}

console.log(JSON.stringify(result));
