// oauth4webapi's DPoP() against the server (RFC 9449): client_credentials,
// the exchange of a code the test obtained, a refresh and userinfo, each
// with proofs of one ES256 key, retried once with the server's nonce when
// it asks for one (use_dpop_nonce). Prints what each step gave as JSON for
// the Python test.
// Usage: node oauth4webapi_dpop.mjs ISSUER CLIENT_ID SECRET CALLBACK_URL STATE REDIRECT_URI VERIFIER
import * as oauth from "oauth4webapi";

const [issuer, clientId, secret, callbackUrl, state, redirectUri, verifier] =
    process.argv.slice(2);
// The test server speaks plain http on a loopback address.
const insecure = {[oauth.allowInsecureRequests]: true};
const client = {client_id: clientId};
const clientAuth = oauth.ClientSecretBasic(secret);
const keyPair = await oauth.generateKeyPair("ES256");
const DPoP = oauth.DPoP(client, keyPair);
const result = {jkt: await DPoP.calculateThumbprint(), nonce_retries: 0};

// the retry oauth4webapi's documentation shows for a server nonce
async function withNonceRetry(attempt) {
    try {
        return await attempt();
    } catch (error) {
        if (!oauth.isDPoPNonceError(error)) {
            throw error;
        }
        result.nonce_retries += 1;
        return await attempt();
    }
}

const as = await oauth.processDiscoveryResponse(
    new URL(issuer),
    await oauth.discoveryRequest(new URL(issuer), {algorithm: "oauth2", ...insecure})
);

const issued = await withNonceRetry(async () =>
    oauth.processClientCredentialsResponse(
        as,
        client,
        await oauth.clientCredentialsGrantRequest(
            as,
            client,
            clientAuth,
            {scope: "read"},
            {DPoP, ...insecure}
        )
    )
);
result.client_credentials = {token_type: issued.token_type};

const callback = oauth.validateAuthResponse(as, client, new URL(callbackUrl), state);
const tokens = await withNonceRetry(async () =>
    oauth.processAuthorizationCodeResponse(
        as,
        client,
        await oauth.authorizationCodeGrantRequest(
            as,
            client,
            clientAuth,
            callback,
            redirectUri,
            verifier,
            {DPoP, ...insecure}
        )
    )
);
const subject = oauth.getValidatedIdTokenClaims(tokens).sub;
result.code_flow = {token_type: tokens.token_type, sub: subject};

const refreshed = await withNonceRetry(async () =>
    oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(
            as,
            client,
            clientAuth,
            tokens.refresh_token,
            {DPoP, ...insecure}
        )
    )
);
result.refresh = {token_type: refreshed.token_type};

const userinfo = await withNonceRetry(async () =>
    oauth.processUserInfoResponse(
        as,
        client,
        subject,
        await oauth.userInfoRequest(as, client, refreshed.access_token, {
            DPoP,
            ...insecure,
        })
    )
);
result.userinfo = {sub: userinfo.sub};

console.log(JSON.stringify(result));
