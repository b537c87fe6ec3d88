# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""oauth/secrets.py: generated secrets and the keyed hashes they are stored
under."""

import unittest

from odoo.tests import TransactionCase
from odoo.tools.misc import hmac

from ..oauth.constants import ACCESS_TOKEN
from ..oauth.secrets import (
    SECRET_SHAPE,
    generate_secret,
    hash_secret,
    looks_generated,
)
from ..provider import configuration

DATABASE_SECRET = "0c5d0a42-5a3d-11f1-8a4b-0242ac120002"


class TestSecrets(unittest.TestCase):
    def test_generated_secrets_have_the_masked_shape(self):
        secret = generate_secret()
        self.assertTrue(SECRET_SHAPE.fullmatch(secret))
        self.assertTrue(looks_generated(secret))
        self.assertNotEqual(secret, generate_secret())
        for value in (None, "", secret[:-1], secret + "x", "!" * len(secret)):
            with self.subTest(value=value):
                self.assertFalse(looks_generated(value))

    def test_hash_is_the_one_odoo_computed_for_the_stored_rows(self):
        """The rows stored before were hashed with Odoo's hmac() (these hashes
        are its): a different hash would match no stored secret, token or
        code any more."""
        for purpose, value, expected in (
            (
                "client_secret",
                "Yk2Q6pO0gqGQ0b5m1xWc3yQp5aW6wK9sP0uL8tH1bZc",
                "a1dcd64b5714ad68be25dcd111051eea49c703c7bec860665a9bc4855462c640",
            ),
            (
                "refresh_token",
                "é'\"\\",
                "aa1bf180d596703d8651a0b21c5b2618d0bdf6fdeac8c6524a7a42e55589e615",
            ),
        ):
            with self.subTest(purpose=purpose):
                self.assertEqual(hash_secret(DATABASE_SECRET, purpose, value), expected)

    def test_purpose_and_key_change_the_hash(self):
        value = generate_secret()
        hashed = hash_secret(DATABASE_SECRET, ACCESS_TOKEN, value)
        self.assertNotEqual(
            hashed, hash_secret(DATABASE_SECRET, "refresh_token", value)
        )
        self.assertNotEqual(hashed, hash_secret("another secret", ACCESS_TOKEN, value))


class TestDatabaseSecretHash(TransactionCase):
    def test_keyed_with_the_database_secret_as_odoo_does(self):
        value = generate_secret()
        self.assertEqual(
            configuration.hash_secret(self.env, ACCESS_TOKEN, value),
            hmac(self.env(su=True), f"orestapi_oauth2.{ACCESS_TOKEN}", value),
        )
