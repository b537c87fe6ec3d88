// A resource server checking a JWT access token offline (RFC 9068 §4) with
// panva's jose, which shares no code with the server: it trusts ISSUER only,
// takes the keys from the jwks_uri of that issuer's discovery document, and
// accepts an at+jwt of that issuer for AUDIENCE whose signature, iss, aud and
// exp hold. Prints {"header": ..., "claims": ...} as JSON for the Python test;
// exits 1 with jose's error code and message on stderr when it refuses.
// Usage: node jose_resource_server.mjs ISSUER AUDIENCE TOKEN
import {createRemoteJWKSet, jwtVerify} from "jose";

const [issuer, audience, token] = process.argv.slice(2);

try {
    // OpenID Connect Discovery 1.0 §4: the configuration sits under the issuer
    const discoveryUrl = `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`;
    const response = await fetch(discoveryUrl);
    if (!response.ok) {
        throw new Error(`${discoveryUrl} answered ${response.status}`);
    }
    const discovery = await response.json();
    // §4.3: the document must name the issuer it was fetched for
    if (discovery.issuer !== issuer) {
        throw new Error(`the discovery document names issuer ${discovery.issuer}`);
    }
    const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
    const {payload, protectedHeader} = await jwtVerify(token, jwks, {
        issuer,
        audience,
        // RFC 9068 §4: an id_token or any other JWT of the issuer is refused
        typ: "at+jwt",
    });
    process.stdout.write(
        JSON.stringify({header: protectedHeader, claims: payload}) + "\n"
    );
} catch (error) {
    process.stderr.write(`${error.code ?? error.name}: ${error.message}\n`);
    process.exit(1);
}
