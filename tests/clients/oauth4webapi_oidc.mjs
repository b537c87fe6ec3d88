// oauth4webapi's OpenID Connect code flow against the server, with its strict
// checks: OpenID discovery and its issuer check, the authorization response's
// iss (RFC 9207: another issuer's or none is refused), the code exchanged with
// PKCE, the id_token's nonce and auth_time (max_age) checked, its signature
// validated against the JWKS, then userinfo for its subject. Prints what each
// step gave as JSON for the Python test.
// Usage: node oauth4webapi_oidc.mjs '{"issuer": ..., "client_id": ...,
//   "client_secret": ..., "callback": ..., "state": ..., "redirect_uri": ...,
//   "code_verifier": ..., "nonce": ..., "max_age": ...}'
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

function refused(step) {
    try {
        step();
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
    result.issuer = as.issuer;

    const callbackUrl = new URL(options.callback);
    const otherIss = new URL(callbackUrl);
    otherIss.searchParams.set("iss", "https://another-server.example.com");
    result.other_iss = refused(() =>
        oauth.validateAuthResponse(as, client, otherIss, options.state)
    );
    const noIss = new URL(callbackUrl);
    noIss.searchParams.delete("iss");
    result.no_iss = refused(() =>
        oauth.validateAuthResponse(as, client, noIss, options.state)
    );

    const callback = oauth.validateAuthResponse(as, client, callbackUrl, options.state);
    const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        clientAuth,
        callback,
        options.redirect_uri,
        options.code_verifier,
        insecure
    );
    // the same answer read a second time, as if another nonce had been sent
    const copy = response.clone();
    try {
        await oauth.processAuthorizationCodeResponse(as, client, copy, {
            expectedNonce: `${options.nonce}-other`,
            maxAge: options.max_age,
            requireIdToken: true,
        });
        result.other_nonce = {kind: "accepted"};
    } catch (error) {
        result.other_nonce = failure(error);
    }
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
        expectedNonce: options.nonce,
        maxAge: options.max_age,
        requireIdToken: true,
    });
    const claims = oauth.getValidatedIdTokenClaims(tokens);
    await oauth.validateApplicationLevelSignature(as, response, insecure);
    result.code_flow = {
        token_type: tokens.token_type,
        scope: tokens.scope,
        claims,
        signature_valid: true,
    };

    result.userinfo = await oauth.processUserInfoResponse(
        as,
        client,
        claims.sub,
        await oauth.userInfoRequest(as, client, tokens.access_token, insecure)
    );
} catch (error) {
    result.error = failure(error);
}

console.log(JSON.stringify(result));
