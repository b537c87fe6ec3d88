// The relying party of the conformance tests (tests/test_conformance*.py):
// one process per test class, which sends it one JSON request a line on stdin
// and reads one JSON answer a line on stdout. Every check is the libraries'
// own, never the server's: oauth4webapi's discovery and its strict token,
// hybrid and userinfo response checks (signatures against the JWKS the
// discovery names, iss, aud, azp, exp, iat, nonce, auth_time against
// max_age, c_hash), and jose for what oauth4webapi has no function for: the
// id_token of an implicit response, the JWKS's keys and logout tokens.
// Each answer is {"ok": result} or {"error": {kind, code, message}}.
import {createInterface} from "node:readline";
import * as jose from "jose";
import * as oauth from "oauth4webapi";

// The test server speaks plain http on a loopback address.
const insecure = {[oauth.allowInsecureRequests]: true};
const servers = new Map();

async function server(issuer) {
    if (!servers.has(issuer)) {
        const url = new URL(issuer);
        const as = await oauth.processDiscoveryResponse(
            url,
            await oauth.discoveryRequest(url, {algorithm: "oidc", ...insecure})
        );
        servers.set(issuer, {
            as,
            jwks: jose.createRemoteJWKSet(new URL(as.jwks_uri)),
        });
    }
    return servers.get(issuer);
}

// OpenID Connect Core §3.1.3.6: the left half of the SHA-256 of value
async function leftHalfHash(value) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(value));
    return jose.base64url.encode(new Uint8Array(digest).slice(0, 16));
}

function jsonResponse(body, status = 200, contentType = "application/json") {
    return new Response(typeof body === "string" ? body : JSON.stringify(body), {
        status,
        headers: {"content-type": contentType},
    });
}

// Core §3.2.2.11 for an id_token from the authorization endpoint: signed
// with a key of the JWKS and an advertised algorithm, this issuer and
// client, unexpired, the nonce sent, azp when several audiences.
async function implicitIdToken({as, jwks}, request, params) {
    const {payload, protectedHeader} = await jose.jwtVerify(params.id_token, jwks, {
        issuer: as.issuer,
        audience: request.client_id,
        algorithms: as.id_token_signing_alg_values_supported,
        requiredClaims: ["iss", "sub", "aud", "exp", "iat", "nonce"],
        maxTokenAge: request.max_age === undefined ? undefined : request.max_age + 3600,
    });
    if (payload.nonce !== request.nonce) {
        throw new Error(`nonce ${payload.nonce} instead of ${request.nonce}`);
    }
    if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== request.client_id) {
        throw new Error("several audiences and no azp of this client");
    }
    if (request.max_age !== undefined) {
        if (typeof payload.auth_time !== "number") {
            throw new Error("max_age asked and no auth_time");
        }
        if (payload.auth_time + request.max_age < Date.now() / 1000 - 5) {
            throw new Error("auth_time older than max_age");
        }
    }
    // §3.2.2.10, §3.3.2.11: at_hash is REQUIRED beside an access token
    if (params.access_token !== undefined) {
        if (payload.at_hash !== (await leftHalfHash(params.access_token))) {
            throw new Error("at_hash does not match the access token");
        }
    }
    if (params.code !== undefined) {
        if (payload.c_hash !== (await leftHalfHash(params.code))) {
            throw new Error("c_hash does not match the code");
        }
    }
    return {claims: payload, header: protectedHeader};
}

const handlers = {
    // OpenID Connect Discovery 1.0 §4 as oauth4webapi checks it (the issuer
    // is the URL it was fetched under), and each key of the JWKS imported
    async discovery(request) {
        servers.delete(request.issuer);
        const {as} = await server(request.issuer);
        const response = await fetch(as.jwks_uri);
        const contentType = response.headers.get("content-type");
        const jwks = await response.json();
        const keys = [];
        for (const jwk of jwks.keys) {
            await jose.importJWK(jwk, jwk.alg);
            keys.push({kid: jwk.kid, kty: jwk.kty, alg: jwk.alg, use: jwk.use});
        }
        return {metadata: as, jwks_content_type: contentType, keys};
    },

    // a token endpoint response to the code (or refresh) grant: what
    // processAuthorizationCodeResponse and validateApplicationLevelSignature
    // accept of it
    async token_response(request) {
        const {as} = await server(request.issuer);
        const client = {client_id: request.client_id};
        const response = jsonResponse(request.body, request.status ?? 200);
        let tokens;
        if (request.refresh) {
            tokens = await oauth.processRefreshTokenResponse(as, client, response);
        } else {
            tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
                expectedNonce: request.nonce ?? oauth.expectNoNonce,
                maxAge: request.max_age ?? oauth.skipAuthTimeCheck,
                requireIdToken: true,
            });
        }
        const claims = oauth.getValidatedIdTokenClaims(tokens);
        if (claims) {
            await oauth.validateApplicationLevelSignature(as, response, insecure);
            if (claims.at_hash !== undefined) {
                if (claims.at_hash !== (await leftHalfHash(tokens.access_token))) {
                    throw new Error("at_hash does not match the access token");
                }
            }
        }
        return {
            claims: claims ?? null,
            header: claims ? jose.decodeProtectedHeader(tokens.id_token) : null,
        };
    },

    // the parameters of an authorization response (query, fragment or
    // form_post): state and iss (RFC 9207) checked, then its id_token
    async authorization_response(request) {
        const server_ = await server(request.issuer);
        const {as} = server_;
        const client = {client_id: request.client_id};
        const params = new URLSearchParams(request.params);
        const types = request.response_type.split(" ");
        let result = {};
        if (types.includes("code") && types.includes("id_token")) {
            // hybrid: oauth4webapi's own check of c_hash, nonce and signature
            await oauth.validateCodeIdTokenResponse(
                as,
                client,
                params,
                request.nonce,
                request.state,
                request.max_age ?? oauth.skipAuthTimeCheck,
                insecure
            );
        } else if (types.includes("id_token") || types.includes("token")) {
            // oauth4webapi refuses implicit responses: RFC 9207 and RFC 6749
            // §4.2.2 checked here as validateAuthResponse checks them
            const iss = params.get("iss");
            if (as.authorization_response_iss_parameter_supported && iss === null) {
                throw new Error("no iss in the authorization response");
            }
            if (iss !== null && iss !== as.issuer) {
                throw new Error(`iss ${iss} instead of ${as.issuer}`);
            }
            if (params.get("state") !== request.state) {
                throw new Error("state does not match");
            }
            if (params.has("error")) {
                throw new Error(`error ${params.get("error")}`);
            }
        } else {
            oauth.validateAuthResponse(as, client, new URLSearchParams(params), request.state);
        }
        if (types.includes("id_token")) {
            result = await implicitIdToken(server_, request, Object.fromEntries(params));
        }
        return result;
    },

    // a userinfo response, for the subject of the id_token
    async userinfo_response(request) {
        const {as} = await server(request.issuer);
        const client = {client_id: request.client_id};
        const response = jsonResponse(request.body, request.status, request.content_type);
        return oauth.processUserInfoResponse(as, client, request.sub, response);
    },

    // Back-Channel Logout 1.0 §2.6: a logout token as a relying party checks
    // it before ending the session
    async logout_token(request) {
        const {as, jwks} = await server(request.issuer);
        const {payload} = await jose.jwtVerify(request.logout_token, jwks, {
            issuer: as.issuer,
            audience: request.client_id,
            algorithms: as.id_token_signing_alg_values_supported,
            typ: "logout+jwt",
            requiredClaims: ["iss", "aud", "iat", "exp", "jti", "events"],
        });
        const event = payload.events["http://schemas.openid.net/event/backchannel-logout"];
        if (typeof event !== "object" || event === null) {
            throw new Error("no back-channel logout event");
        }
        if ("nonce" in payload) {
            throw new Error("a logout token has no nonce");
        }
        if (!payload.sid && !payload.sub) {
            throw new Error("names neither a session nor a user");
        }
        return {claims: payload};
    },
};

function failure(error) {
    return {
        kind: error.constructor.name,
        code: error.code ?? null,
        message: error.message,
    };
}

const lines = createInterface({input: process.stdin});
for await (const line of lines) {
    const request = JSON.parse(line);
    let answer;
    try {
        answer = {ok: await handlers[request.op](request)};
    } catch (error) {
        answer = {error: failure(error)};
    }
    process.stdout.write(JSON.stringify(answer) + "\n");
}
