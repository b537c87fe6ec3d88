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

const [step, issuer, clientId, secret, redirectUri, state, ...rest] =
    process.argv.slice(2);
// The test server speaks plain http on a loopback address.
const insecure = {[oauth.allowInsecureRequests]: true};
const client = {client_id: clientId};

const as = await oauth.processDiscoveryResponse(
    new URL(issuer),
    await oauth.discoveryRequest(new URL(issuer), {algorithm: "oauth2", ...insecure})
);

if (step === "push") {
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const pushed = await oauth.processPushedAuthorizationResponse(
        as,
        client,
        await oauth.pushedAuthorizationRequest(
            as,
            client,
            oauth.ClientSecretBasic(secret),
            {
                response_type: "code",
                redirect_uri: redirectUri,
                scope: "read",
                state,
                code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
                code_challenge_method: "S256",
            },
            insecure
        )
    );
    const authorizationUrl = new URL(as.authorization_endpoint);
    authorizationUrl.searchParams.set("client_id", clientId);
    authorizationUrl.searchParams.set("request_uri", pushed.request_uri);
    console.log(
        JSON.stringify({
            par_endpoint: as.pushed_authorization_request_endpoint,
            request_uri: pushed.request_uri,
            expires_in: pushed.expires_in,
            authorization_url: authorizationUrl.href,
            code_verifier: codeVerifier,
        })
    );
} else {
    const [callbackUrl, codeVerifier] = rest;
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
            codeVerifier,
            insecure
        )
    );
    console.log(
        JSON.stringify({
            token_type: tokens.token_type,
            scope: tokens.scope,
            refresh: !!tokens.refresh_token,
        })
    );
}
