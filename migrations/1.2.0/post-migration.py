# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).


def migrate(cr, version):
    """The setting that accepted GET token requests now accepts every request
    form of older clients: keep its value under its new name."""
    cr.execute(
        """
        UPDATE ir_config_parameter
           SET key = 'orestapi_oauth2.accept_older_client_requests'
         WHERE key = 'orestapi_oauth2.allow_get_token_request'
           AND NOT EXISTS (
               SELECT 1 FROM ir_config_parameter
                WHERE key = 'orestapi_oauth2.accept_older_client_requests'
           )
        """
    )
