// A FAPI 2.0 relying party built on openid-client (v6) against the server,
// in two steps around the browser's part, which the Python test plays with
// its logged-in session:
//   push: discovers the server, and with buildAuthorizationUrlWithPAR
//     pushes a code request with PKCE S256, authenticated with PrivateKeyJwt
//     and bound to the DPoP key of getDPoPHandle; prints the authorization
//     URL to open and the code_verifier;
//   exchange: authorizationCodeGrant (the response's iss and state checked,
//     the code exchanged with PrivateKeyJwt and DPoP), then fetchUserInfo
//     with the DPoP-bound token.
// openid-client retries a DPoP request once by itself when the server asks
// for its nonce. Prints what the step gave as JSON.
// Usage: node openid_client_fapi2.mjs STEP OPTIONS_JSON (as oauth4webapi_fapi2.mjs)
import * as client from "openid-client";
import {dpopKeyPair, fapi2Outcome, print, signingKey} from "./shared.mjs";

const [step, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson);
const config = await client.discovery(
    new URL(options.issuer),
    options.client_id,
    // FAPI 2.0 §5.4.1: the server signs its id_tokens with ES256
    {id_token_signed_response_alg: "ES256"},
    client.PrivateKeyJwt(await signingKey(options.client_key)),
    // The test server speaks plain http on a loopback address.
    {execute: [client.allowInsecureRequests]}
);
const DPoP = client.getDPoPHandle(config, await dpopKeyPair(options.dpop_key));

if (step === "push") {
    const codeVerifier = client.randomPKCECodeVerifier();
    const authorizationUrl = await client.buildAuthorizationUrlWithPAR(
        config,
        {
            redirect_uri: options.redirect_uri,
            scope: "openid read",
            state: options.state,
            code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
            code_challenge_method: "S256",
        },
        {DPoP}
    );
    print({authorization_url: authorizationUrl.href, code_verifier: codeVerifier});
} else {
    const tokens = await client.authorizationCodeGrant(
        config,
        new URL(options.callback_url),
        {pkceCodeVerifier: options.code_verifier, expectedState: options.state},
        undefined,
        {DPoP}
    );
    const subject = tokens.claims().sub;
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, subject, {
        DPoP,
    });
    print(fapi2Outcome(tokens, subject, userinfo));
}
