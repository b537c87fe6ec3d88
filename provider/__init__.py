"""Between the ORM and the protocol: the oauthlib server, its validator and
the bearer check, which read and write the ``oauth2.*`` models at run time
and hand values to the protocol package (``oauth/``).

Controllers and ``ir.http`` call :mod:`.server` and :mod:`.bearer`; the
models read the database's configuration through :mod:`.configuration`.
Nothing here imports ``models/`` or ``controllers/``.
"""
