// A FAPI 2.0 client built on oauth4webapi against the server, in two steps
// around the browser's part, which the Python test plays with its logged-in
// session:
//   push: discovers the server, pushes a code request with PKCE S256
//     (PrivateKeyJwt, and a DPoP proof that binds the code to its key) and
//     prints the authorization URL to open and the code_verifier;
//   exchange: checks the authorization response (its iss, RFC 9207),
//     exchanges the code with PrivateKeyJwt and DPoP and calls userinfo
//     with the DPoP-bound token.
// Every DPoP request is retried once with the server's nonce when it asks
// for one (use_dpop_nonce). Prints what the step gave as JSON.
// Usage: node oauth4webapi_fapi2.mjs STEP OPTIONS_JSON
// OPTIONS_JSON: {"issuer", "client_id", "client_key": {"alg", "kid", "pem"},
//   "dpop_key": {"private", "public"}, "redirect_uri", "state",
//   "callback_url", "code_verifier"}
import * as oauth from "oauth4webapi";
import {importPKCS8, importSPKI} from "jose";

const [step, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson);
// The test server speaks plain http on a loopback address.
const insecure = {[oauth.allowInsecureRequests]: true};
// FAPI 2.0 §5.4.1: the server signs its id_tokens with ES256
const client = {
    client_id: options.client_id,
    id_token_signed_response_alg: "ES256",
};
const clientAuth = oauth.PrivateKeyJwt({
    key: await importPKCS8(options.client_key.pem, options.client_key.alg),
    kid: options.client_key.kid,
});
const keyPair = {
    privateKey: await importPKCS8(options.dpop_key.private, "ES256"),
    publicKey: await importSPKI(options.dpop_key.public, "ES256", {extractable: true}),
};
const DPoP = oauth.DPoP(client, keyPair);
const result = {jkt: await DPoP.calculateThumbprint(), nonce_retries: 0};

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
    new URL(options.issuer),
    await oauth.discoveryRequest(new URL(options.issuer), {
        algorithm: "oidc",
        ...insecure,
    })
);

if (step === "push") {
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier);
    const pushed = await withNonceRetry(async () =>
        oauth.processPushedAuthorizationResponse(
            as,
            client,
            await oauth.pushedAuthorizationRequest(
                as,
                client,
                clientAuth,
                {
                    response_type: "code",
                    redirect_uri: options.redirect_uri,
                    scope: "openid read",
                    state: options.state,
                    code_challenge: codeChallenge,
                    code_challenge_method: "S256",
                },
                {DPoP, ...insecure}
            )
        )
    );
    const authorizationUrl = new URL(as.authorization_endpoint);
    authorizationUrl.searchParams.set("client_id", options.client_id);
    authorizationUrl.searchParams.set("request_uri", pushed.request_uri);
    result.authorization_url = authorizationUrl.href;
    result.code_verifier = codeVerifier;
} else {
    const callback = oauth.validateAuthResponse(
        as,
        client,
        new URL(options.callback_url),
        options.state
    );
    const tokens = await withNonceRetry(async () =>
        oauth.processAuthorizationCodeResponse(
            as,
            client,
            await oauth.authorizationCodeGrantRequest(
                as,
                client,
                clientAuth,
                callback,
                options.redirect_uri,
                options.code_verifier,
                {DPoP, ...insecure}
            )
        )
    );
    const subject = oauth.getValidatedIdTokenClaims(tokens).sub;
    const userinfo = await withNonceRetry(async () =>
        oauth.processUserInfoResponse(
            as,
            client,
            subject,
            await oauth.userInfoRequest(as, client, tokens.access_token, {
                DPoP,
                ...insecure,
            })
        )
    );
    result.token_type = tokens.token_type;
    result.id_token_alg = JSON.parse(
        Buffer.from(tokens.id_token.split(".")[0], "base64url").toString()
    ).alg;
    result.scope = tokens.scope;
    result.access_token = tokens.access_token;
    result.sub = subject;
    result.userinfo_sub = userinfo.sub;
}
console.log(JSON.stringify(result));
