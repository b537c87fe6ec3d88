// What the oauth4webapi and openid-client test clients share: the server's
// discovery, the grants they run, the keys the Python test hands them and
// how they report a failure.
import * as oauth from "oauth4webapi";
import {importPKCS8, importSPKI} from "jose";

// The test server speaks plain http on a loopback address.
export const insecure = {[oauth.allowInsecureRequests]: true};

// algorithm "oauth2" (RFC 8414) or "oidc" (OpenID Connect Discovery)
export async function discover(issuer, algorithm = "oauth2") {
    const url = new URL(issuer);
    return oauth.processDiscoveryResponse(
        url,
        await oauth.discoveryRequest(url, {algorithm, ...insecure})
    );
}

export function failure(error) {
    return {
        kind: error.constructor.name,
        error: error.error ?? error.cause?.error ?? null,
        message: error.message,
    };
}

// {alg, kid, pem} as the Python test gives it, as PrivateKeyJwt takes it
export async function signingKey({alg, kid, pem}) {
    return {key: await importPKCS8(pem, alg), kid};
}

// {private, public} PEMs of an ES256 key as the Python test gives them
export async function dpopKeyPair(pems) {
    return {
        privateKey: await importPKCS8(pems.private, "ES256"),
        publicKey: await importSPKI(pems.public, "ES256", {extractable: true}),
    };
}

// Calls attempt again once when the server asks for its DPoP nonce (the
// retry oauth4webapi's documentation shows), counting the retries in
// result.nonce_retries.
export async function withNonceRetry(result, attempt) {
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

export async function clientCredentials(as, client, clientAuth, options = insecure) {
    return oauth.processClientCredentialsResponse(
        as,
        client,
        await oauth.clientCredentialsGrantRequest(
            as,
            client,
            clientAuth,
            {scope: "read"},
            options
        )
    );
}

// Pushes a code request with PKCE S256 (RFC 9126); returns the pushed
// response, the authorization URL to open and the code_verifier.
export async function pushCodeRequest(
    as,
    client,
    clientAuth,
    parameters,
    options = insecure
) {
    const codeVerifier = oauth.generateRandomCodeVerifier();
    const pushed = await oauth.processPushedAuthorizationResponse(
        as,
        client,
        await oauth.pushedAuthorizationRequest(
            as,
            client,
            clientAuth,
            {
                response_type: "code",
                ...parameters,
                code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
                code_challenge_method: "S256",
            },
            options
        )
    );
    const authorizationUrl = new URL(as.authorization_endpoint);
    authorizationUrl.searchParams.set("client_id", client.client_id);
    authorizationUrl.searchParams.set("request_uri", pushed.request_uri);
    return {pushed, authorizationUrl, codeVerifier};
}

// Checks the authorization response the browser came back with (its state,
// and its iss: RFC 9207), then exchanges its code. flow: {callbackUrl,
// state, redirectUri, codeVerifier}, codeVerifier oauth.nopkce without PKCE.
export async function exchangeCode(as, client, clientAuth, flow, options = insecure) {
    const callback = oauth.validateAuthResponse(
        as,
        client,
        new URL(flow.callbackUrl),
        flow.state
    );
    return oauth.processAuthorizationCodeResponse(
        as,
        client,
        await oauth.authorizationCodeGrantRequest(
            as,
            client,
            clientAuth,
            callback,
            flow.redirectUri,
            flow.codeVerifier,
            options
        )
    );
}

export async function userInfo(as, client, subject, accessToken, options = insecure) {
    return oauth.processUserInfoResponse(
        as,
        client,
        subject,
        await oauth.userInfoRequest(as, client, accessToken, options)
    );
}

// What a FAPI 2.0 client reports of its code exchange and userinfo call
export function fapi2Outcome(tokens, subject, userinfo) {
    return {
        token_type: tokens.token_type,
        id_token_alg: JSON.parse(
            Buffer.from(tokens.id_token.split(".")[0], "base64url").toString()
        ).alg,
        scope: tokens.scope,
        access_token: tokens.access_token,
        sub: subject,
        userinfo_sub: userinfo.sub,
    };
}

export function print(result) {
    console.log(JSON.stringify(result));
}
