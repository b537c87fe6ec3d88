"""The bridge between oauthlib and the Odoo ORM.

Controllers build an oauthlib server with :func:`server.oauth2_server` and hand it
the raw HTTP request; :class:`validator.OdooRequestValidator` is the only place
where oauthlib touches the ORM.
"""
