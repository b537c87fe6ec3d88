// oauth4webapi's pushed authorization requests (RFC 9126) against the
// server, in two steps around the browser's part, which the Python test
// plays with its logged-in session:
//   push ISSUER CLIENT_ID SECRET REDIRECT_URI STATE
//     discovers the PAR endpoint, pushes a code request with PKCE S256 and
//     prints the request_uri, its lifetime, the authorization URL to open
//     and the code_verifier;
//   exchange ISSUER CLIENT_ID SECRET REDIRECT_URI STATE CALLBACK_URL VERIFIER
//     checks the authorization response (its iss too, RFC 9207) and
//     exchanges the code.
// Prints what the step gave as JSON for the Python test.
import * as oauth from "oauth4webapi";
import {discover, exchangeCode, print, pushCodeRequest} from "./shared.mjs";

const [step, issuer, clientId, secret, redirectUri, state, ...rest] =
    process.argv.slice(2);
const client = {client_id: clientId};
const clientAuth = oauth.ClientSecretBasic(secret);

const as = await discover(issuer);

if (step === "push") {
    const {pushed, authorizationUrl, codeVerifier} = await pushCodeRequest(
        as,
        client,
        clientAuth,
        {redirect_uri: redirectUri, scope: "read", state}
    );
    print({
        par_endpoint: as.pushed_authorization_request_endpoint,
        request_uri: pushed.request_uri,
        expires_in: pushed.expires_in,
        authorization_url: authorizationUrl.href,
        code_verifier: codeVerifier,
    });
} else {
    const [callbackUrl, codeVerifier] = rest;
    const tokens = await exchangeCode(as, client, clientAuth, {
        callbackUrl,
        state,
        redirectUri,
        codeVerifier,
    });
    print({
        token_type: tokens.token_type,
        scope: tokens.scope,
        refresh: !!tokens.refresh_token,
    });
}
