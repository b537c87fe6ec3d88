// oauth4webapi's DPoP() against the server (RFC 9449): client_credentials,
// the exchange of a code the test obtained, a refresh and userinfo, each
// with proofs of one ES256 key, retried once with the server's nonce when
// it asks for one (use_dpop_nonce). Prints what each step gave as JSON for
// the Python test.
// Usage: node oauth4webapi_dpop.mjs ISSUER CLIENT_ID SECRET CALLBACK_URL STATE REDIRECT_URI VERIFIER
import * as oauth from "oauth4webapi";
import {
    clientCredentials,
    discover,
    exchangeCode,
    insecure,
    print,
    userInfo,
    withNonceRetry,
} from "./shared.mjs";

const [issuer, clientId, secret, callbackUrl, state, redirectUri, verifier] =
    process.argv.slice(2);
const client = {client_id: clientId};
const clientAuth = oauth.ClientSecretBasic(secret);
const DPoP = oauth.DPoP(client, await oauth.generateKeyPair("ES256"));
const dpopOptions = {DPoP, ...insecure};
const result = {jkt: await DPoP.calculateThumbprint(), nonce_retries: 0};

const as = await discover(issuer);

const issued = await withNonceRetry(result, () =>
    clientCredentials(as, client, clientAuth, dpopOptions)
);
result.client_credentials = {token_type: issued.token_type};

const flow = {callbackUrl, state, redirectUri, codeVerifier: verifier};
const tokens = await withNonceRetry(result, () =>
    exchangeCode(as, client, clientAuth, flow, dpopOptions)
);
const subject = oauth.getValidatedIdTokenClaims(tokens).sub;
result.code_flow = {token_type: tokens.token_type, sub: subject};

const refreshed = await withNonceRetry(result, async () =>
    oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(
            as,
            client,
            clientAuth,
            tokens.refresh_token,
            dpopOptions
        )
    )
);
result.refresh = {token_type: refreshed.token_type};

const userinfo = await withNonceRetry(result, () =>
    userInfo(as, client, subject, refreshed.access_token, dpopOptions)
);
result.userinfo = {sub: userinfo.sub};

print(result);
