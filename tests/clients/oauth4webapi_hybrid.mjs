// oauth4webapi's checks of an OpenID Connect hybrid response (code id_token,
// Core §3.3) from the server: the id_token of the authorization response
// (signature against the JWKS, iss, aud, nonce, c_hash, state) in the fragment
// or posted (form_post), the same response with its code swapped or another
// nonce refused, then the code exchanged with PKCE and its id_token checked.
// Prints what each step gave as JSON for the Python test.
// Usage: node oauth4webapi_hybrid.mjs '{"issuer": ..., "client_id": ...,
//   "client_secret": ..., "callback": ... or "posted": {...}, "state": ...,
//   "redirect_uri": ..., "code_verifier": ..., "nonce": ...}'
import * as oauth from "oauth4webapi";

const options = JSON.parse(process.argv[2]);
// The test server speaks plain http on a loopback address.
const insecure = {[oauth.allowInsecureRequests]: true};
const client = {client_id: options.client_id};
const clientAuth = oauth.ClientSecretBasic(options.client_secret);
const result = {};

function failure(error) {
    return {
        kind: error.constructor.name,
        code: error.code ?? null,
        error: error.error ?? error.cause?.error ?? null,
        message: error.message,
    };
}

// The authorization response as the client receives it: its redirect with
// the parameters in the fragment, or the form the browser posted, given as
// parameters changed by ``change``.
function response(change = {}) {
    if (options.posted) {
        const body = new URLSearchParams({...options.posted, ...change});
        return new Request(options.redirect_uri, {
            method: "POST",
            headers: {"content-type": "application/x-www-form-urlencoded"},
            body,
        });
    }
    const url = new URL(options.callback);
    const params = new URLSearchParams(url.hash.slice(1));
    for (const [name, value] of Object.entries(change)) {
        params.set(name, value);
    }
    url.hash = params.toString();
    return url;
}

async function refused(step) {
    try {
        await step();
        return {kind: "accepted"};
    } catch (error) {
        return failure(error);
    }
}

try {
    const issuer = new URL(options.issuer);
    const as = await oauth.processDiscoveryResponse(
        issuer,
        await oauth.discoveryRequest(issuer, {algorithm: "oidc", ...insecure})
    );

    result.swapped_code = await refused(() =>
        oauth.validateCodeIdTokenResponse(
            as,
            client,
            response({code: "another-code-than-the-id-token-hashed"}),
            options.nonce,
            options.state,
            oauth.skipAuthTimeCheck,
            insecure
        )
    );
    result.other_nonce = await refused(() =>
        oauth.validateCodeIdTokenResponse(
            as,
            client,
            response(),
            `${options.nonce}-other`,
            options.state,
            oauth.skipAuthTimeCheck,
            insecure
        )
    );
    const params = await oauth.validateCodeIdTokenResponse(
        as,
        client,
        response(),
        options.nonce,
        options.state,
        oauth.skipAuthTimeCheck,
        insecure
    );
    const exchange = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        clientAuth,
        params,
        options.redirect_uri,
        options.code_verifier,
        insecure
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, exchange, {
        expectedNonce: options.nonce,
        requireIdToken: true,
    });
    result.front_channel = {accepted: true};
    result.code_exchange = {claims: oauth.getValidatedIdTokenClaims(tokens)};
} catch (error) {
    result.error = failure(error);
}

console.log(JSON.stringify(result));
