// A relying party built on openid-client (v6) signs a person in with Odoo,
// the person's part done in the system Chromium: discovery from the issuer,
// an authorization request with PKCE S256, nonce and state, Odoo's login form
// and consent page, the callback on the relying party's own loopback server,
// the code exchange with the id_token validated (signature against the JWKS,
// iss, aud, nonce, exp), userinfo for the id_token's subject and a refresh.
// With "logout": RP-initiated logout in the same browser, back to the
// post-logout redirect URI with the state, the Odoo session ended.
// Prints what each step gave as JSON for the Python test.
// Usage: node openid_client_flow.mjs '{"issuer": ..., "client_id": ...,
//   "client_secret": ..., "port": ..., "login": ..., "password": ...,
//   "id_token_signed_response_alg": ..., "logout": true|false}'
import * as client from "openid-client";
import {createServer} from "node:http";
import {launchChromium} from "./chromium.mjs";

const options = JSON.parse(process.argv[2]);
const rp = `http://127.0.0.1:${options.port}`;
const redirectUri = `${rp}/callback`;
const postLogoutRedirectUri = `${rp}/logged-out`;
const result = {requests: []};

function failure(error) {
    return {
        kind: error.constructor.name,
        code: error.code ?? null,
        error: error.error ?? error.cause?.error ?? null,
        message: error.message,
    };
}

function jwtHeader(jwt) {
    return JSON.parse(Buffer.from(jwt.split(".")[0], "base64url").toString());
}

// The relying party's own server at its redirect URIs: it answers every path
// and hands each URL the browser arrives at to whoever waits for it.
const arrivals = [];
let arrived = () => {};
const server = createServer((request, response) => {
    arrivals.push(new URL(request.url, rp));
    arrived();
    response.writeHead(200, {"Content-Type": "text/html; charset=utf-8"});
    response.end("<!DOCTYPE html><title>Relying party</title><p>Back at the RP.</p>");
});
await new Promise((resolve) => server.listen(options.port, "127.0.0.1", resolve));

// The URL the browser arrived at on the relying party's ``path``; fails with
// where the browser is instead after a minute.
async function arrival(path, page) {
    const deadline = Date.now() + 60000;
    for (;;) {
        const url = arrivals.find((candidate) => candidate.pathname === path);
        if (url) {
            return url;
        }
        if (Date.now() > deadline) {
            const text = await page.locator("body").innerText();
            throw new Error(
                `The browser never came to ${path}; it is at ${page.url()}: ${text.slice(0, 1000)}`
            );
        }
        await new Promise((resolve) => {
            arrived = resolve;
            setTimeout(resolve, 1000);
        });
    }
}

// The Odoo session of the browser: the uid get_session_info gives, or null
// when Odoo answers that no one is logged in.
async function sessionUid(page) {
    const answer = await page.request.post(
        `${options.issuer}/web/session/get_session_info`,
        {data: {jsonrpc: "2.0", method: "call", params: {}}}
    );
    const body = await answer.json();
    return body.result?.uid ?? null;
}

const browser = await launchChromium();
try {
    const config = await client.discovery(
        new URL(options.issuer),
        options.client_id,
        {
            client_secret: options.client_secret,
            id_token_signed_response_alg: options.id_token_signed_response_alg,
        },
        client.ClientSecretBasic(options.client_secret),
        {
            // the test server is plain http on a loopback address
            execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
            [client.customFetch]: (url, init) => {
                result.requests.push(`${init.method} ${url}`);
                return fetch(url, init);
            },
        }
    );
    const metadata = config.serverMetadata();
    result.discovery = {
        issuer: metadata.issuer,
        jwks_uri: metadata.jwks_uri,
        end_session_endpoint: metadata.end_session_endpoint,
    };

    const codeVerifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const state = client.randomState();
    const authorizationUrl = client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri,
        scope: "openid profile email",
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: "S256",
        nonce,
        state,
    });

    const page = await browser.newPage();
    page.setDefaultTimeout(60000);
    await page.goto(authorizationUrl.href);
    await page.fill("input[name=login]", options.login);
    await page.fill("input[name=password]", options.password);
    await page.click("button[type=submit]");
    const allow = page.locator("button[name=decision][value=allow]");
    try {
        await allow.waitFor();
    } catch (error) {
        console.error(`No consent page at ${page.url()}:`);
        console.error((await page.locator("body").innerText()).slice(0, 2000));
        throw error;
    }
    await allow.click();
    const callback = await arrival("/callback", page);
    result.callback = Object.fromEntries(callback.searchParams);
    result.callback.state_matches = callback.searchParams.get("state") === state;

    const tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: codeVerifier,
        expectedNonce: nonce,
        expectedState: state,
        idTokenExpected: true,
    });
    const claims = tokens.claims();
    result.code = {
        token_type: tokens.token_type,
        scope: tokens.scope,
        has_refresh_token: Boolean(tokens.refresh_token),
        id_token_header: jwtHeader(tokens.id_token),
        claims,
        nonce_matches: claims.nonce === nonce,
    };

    result.userinfo = await client.fetchUserInfo(
        config,
        tokens.access_token,
        claims.sub
    );
    try {
        await client.fetchUserInfo(config, tokens.access_token, `${claims.sub}-not`);
        result.userinfo_other_subject = {kind: "accepted"};
    } catch (error) {
        result.userinfo_other_subject = failure(error);
    }

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    result.refresh = {
        has_id_token: Boolean(refreshed.id_token),
        id_token_header: refreshed.id_token ? jwtHeader(refreshed.id_token) : null,
        claims: refreshed.claims() ?? null,
        new_refresh_token:
            Boolean(refreshed.refresh_token) &&
            refreshed.refresh_token !== tokens.refresh_token,
    };

    if (options.logout) {
        // RP-initiated logout 1.0: the end-session endpoint, in the browser
        // whose Odoo session signed the person in.
        result.session_uid_before_logout = await sessionUid(page);
        const logoutState = client.randomState();
        const endSessionUrl = client.buildEndSessionUrl(config, {
            id_token_hint: refreshed.id_token ?? tokens.id_token,
            post_logout_redirect_uri: postLogoutRedirectUri,
            state: logoutState,
        });
        result.end_session_url = endSessionUrl.href;
        await page.goto(endSessionUrl.href);
        const landed = await arrival("/logged-out", page);
        result.logout = {
            ...Object.fromEntries(landed.searchParams),
            state_matches: landed.searchParams.get("state") === logoutState,
        };
        result.session_uid_after_logout = await sessionUid(page);
    }
} catch (error) {
    result.error = failure(error);
} finally {
    await browser.close();
    server.close();
}
console.log(JSON.stringify(result));
