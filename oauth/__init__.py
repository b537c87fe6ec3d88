"""The protocol, apart from the ORM: pure functions and constants of OAuth 2.0
and OpenID Connect that take values, never an Odoo environment. The
database's side is ``provider/``; nothing here imports it, ``models/`` or
``controllers/``.
"""
