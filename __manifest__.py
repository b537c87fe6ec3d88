# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "OAuth2 Authorization Server (orestapi)",
    "summary": "Odoo as an OAuth2 authorization server for external applications",
    "version": "18.0.1.0.0",
    "category": "Extra Tools",
    "website": "https://github.com/orest/orestapi_oauth2",
    "author": "Orest",
    "license": "LGPL-3",
    "application": True,
    "installable": True,
    "depends": ["base", "web"],
    "external_dependencies": {"python": ["oauthlib"]},
    "data": [
        "security/oauth2_security.xml",
        "security/ir.model.access.csv",
        "data/oauth2_scope_data.xml",
        "views/oauth2_application_views.xml",
        "views/oauth2_application_secret_views.xml",
        "views/oauth2_scope_views.xml",
        "views/oauth2_token_views.xml",
        "views/oauth2_consent_views.xml",
        "views/oauth2_authorize_templates.xml",
        "views/res_config_settings_views.xml",
        "views/oauth2_menus.xml",
    ],
    "demo": ["demo/oauth2_application_demo.xml"],
}
