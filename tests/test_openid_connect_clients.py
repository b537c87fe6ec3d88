# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Real OpenID Connect relying parties against the provider: what an RP that
checks id_tokens with PyJWT against the JWKS sees of an ES256 and of pairwise
applications."""

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import ec

from .common import REDIRECT_URI, AuthorizationCase


class TestIdTokensAsRelyingParty(AuthorizationCase):
    """What a relying party checking the id_token itself with PyJWT, against
    the keys of the jwks_uri that discovery names, sees."""

    def setUp(self):
        super().setUp()
        self.set_param("issuer_url", self.base_url())

    def relying_party(self, client_id, secret, redirect_uri=REDIRECT_URI, **values):
        return self.env["oauth2.application"].create(
            {
                "name": client_id,
                "client_id": client_id,
                "client_secret": secret,
                "redirect_uris": redirect_uri,
                **values,
            }
        )

    def sign_in(self, application, secret, nonce="a-nonce-of-the-rp"):
        """The token response of a code flow with openid for ``application``."""
        page = self.authorize(
            client_id=application.client_id, scope="openid profile", nonce=nonce
        )
        if page.status_code == 200:
            page = self.decide(page, "allow")
        code = self.assertRedirectsTo(page)["code"]
        return self.assertTokenAnswer(
            self.exchange(code, auth=(application.client_id, secret))
        )

    def verified_claims(self, id_token, client_id, algorithms):
        """The claims of ``id_token`` as an RP checks them: discovery, the
        JWKS, the key its kid names, ``algorithms``, iss, aud and exp."""
        discovery = requests.get(
            self.base_url() + "/.well-known/openid-configuration", timeout=30
        ).json()
        jwks = jwt.PyJWKSet.from_json(
            requests.get(discovery["jwks_uri"], timeout=30).text
        )
        kid = jwt.get_unverified_header(id_token)["kid"]
        key = next(key for key in jwks.keys if key.key_id == kid)
        claims = jwt.decode(
            id_token,
            key.key,
            algorithms=algorithms,
            audience=client_id,
            issuer=discovery["issuer"],
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
        return claims, key

    def userinfo_subject(self, access_token):
        response = self.opener.get(
            self.base_url() + "/orestapi/oauth2/userinfo",
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=30,
        )
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()["sub"]

    def test_es256_application(self):
        secret = "test-secret-of-the-es256-relying-party"
        app = self.relying_party(
            "es256-rp", secret, id_token_signed_response_alg="ES256"
        )
        body = self.sign_in(app, secret)
        header = jwt.get_unverified_header(body["id_token"])
        self.assertEqual(header["alg"], "ES256")
        claims, key = self.verified_claims(body["id_token"], "es256-rp", ["ES256"])
        self.assertEqual(key.key_type, "EC")
        self.assertIsInstance(key.key, ec.EllipticCurvePublicKey)
        self.assertEqual(key.key.curve.name, "secp256r1")
        self.assertEqual(claims["sub"], self.user._oidc_subject(app))
        self.assertEqual(claims["nonce"], "a-nonce-of-the-rp")
        # an RP that accepts RS256 only refuses it
        with self.assertRaises(jwt.InvalidAlgorithmError):
            self.verified_claims(body["id_token"], "es256-rp", ["RS256"])
        # and another application's RP refuses it for its audience
        with self.assertRaises(jwt.InvalidAudienceError):
            self.verified_claims(body["id_token"], "integration", ["ES256"])

    def test_pairwise_subjects(self):
        secrets = {
            "pairwise-a": "test-secret-of-pairwise-relying-party-a",
            "pairwise-b": "test-secret-of-pairwise-relying-party-b",
            "public-c": "test-secret-of-the-public-relying-party-c",
        }
        apps = {
            name: self.relying_party(
                name,
                secret,
                subject_type="public" if name.startswith("public") else "pairwise",
            )
            for name, secret in secrets.items()
        }
        subjects = {}
        for name, app in apps.items():
            body = self.sign_in(app, secrets[name])
            claims, _key = self.verified_claims(body["id_token"], name, ["RS256"])
            subjects[name] = claims["sub"]
            # userinfo names the user as the id_token does (Core §5.3.2)
            self.assertEqual(self.userinfo_subject(body["access_token"]), claims["sub"])
            # and so does the next sign-in of the same application
            again = self.sign_in(app, secrets[name], nonce="another-nonce")
            claims, _key = self.verified_claims(again["id_token"], name, ["RS256"])
            self.assertEqual(claims["sub"], subjects[name])
        self.assertEqual(len(set(subjects.values())), 3, subjects)
        self.assertNotIn(str(self.user.id), subjects.values())
        # the public subject is the one of every public application
        self.assertEqual(subjects["public-c"], self.user._oidc_subject(self.app))
        for subject in subjects.values():
            # Core §2: at most 255 ASCII characters
            self.assertRegex(subject, r"^[\x21-\x7e]{1,255}$")
