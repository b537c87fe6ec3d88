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
import {
    discover,
    dpopKeyPair,
    exchangeCode,
    fapi2Outcome,
    insecure,
    print,
    pushCodeRequest,
    signingKey,
    userInfo,
    withNonceRetry,
} from "./shared.mjs";

const [step, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson);
// FAPI 2.0 §5.4.1: the server signs its id_tokens with ES256
const client = {
    client_id: options.client_id,
    id_token_signed_response_alg: "ES256",
};
const clientAuth = oauth.PrivateKeyJwt(await signingKey(options.client_key));
const DPoP = oauth.DPoP(client, await dpopKeyPair(options.dpop_key));
const dpopOptions = {DPoP, ...insecure};
const result = {jkt: await DPoP.calculateThumbprint(), nonce_retries: 0};

const as = await discover(options.issuer, "oidc");

if (step === "push") {
    const {authorizationUrl, codeVerifier} = await withNonceRetry(result, () =>
        pushCodeRequest(
            as,
            client,
            clientAuth,
            {
                redirect_uri: options.redirect_uri,
                scope: "openid read",
                state: options.state,
            },
            dpopOptions
        )
    );
    result.authorization_url = authorizationUrl.href;
    result.code_verifier = codeVerifier;
} else {
    const flow = {
        callbackUrl: options.callback_url,
        state: options.state,
        redirectUri: options.redirect_uri,
        codeVerifier: options.code_verifier,
    };
    const tokens = await withNonceRetry(result, () =>
        exchangeCode(as, client, clientAuth, flow, dpopOptions)
    );
    const subject = oauth.getValidatedIdTokenClaims(tokens).sub;
    const userinfo = await withNonceRetry(result, () =>
        userInfo(as, client, subject, tokens.access_token, dpopOptions)
    );
    Object.assign(result, fapi2Outcome(tokens, subject, userinfo));
}
print(result);
