/* Copyright 2026 Orest
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

import {registry} from "@web/core/registry";

const CONSENTS = '.o_field_widget[name="oauth2_consent_ids"]';

function openPreferencesAtConnectedApps() {
    return [
        {
            content: "Open the user menu",
            trigger: ".o_user_menu .dropdown-toggle",
            run: "click",
        },
        {
            // "settings" on Odoo 18.0, "preferences" on 19.0
            content: "Open the preferences",
            trigger: "[data-menu=settings], [data-menu=preferences]",
            run: "click",
        },
        {
            content: "Open the Connected Apps tab",
            trigger: 'a[role=tab]:contains("Connected Apps")',
            run: "click",
        },
    ];
}

// An internal user without OAuth2 rights has no OAuth2 menu, finds Connected
// Apps in their preferences, sees only their own consents and revokes one:
// the dialog closes on a notification, and the app is gone when it reopens.
registry.category("web_tour.tours").add("orestapi_oauth2_internal_user", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Discuss is there, the OAuth2 menu is not",
            trigger:
                'body:has(.o_app[data-menu-xmlid="mail.menu_root_discuss"])' +
                ':not(:has(.o_app[data-menu-xmlid="orestapi_oauth2.oauth2_menu_root"]))',
        },
        ...openPreferencesAtConnectedApps(),
        {
            content: "Only the user's own consents are listed",
            trigger:
                CONSENTS +
                ':has(.o_data_row:contains("Tour Revoked App"))' +
                ':has(.o_data_row:contains("Tour Kept App"))' +
                ':not(:has(.o_data_row:contains("Tour Other Person App")))',
        },
        {
            content: "Revoke the internal app",
            trigger: `${CONSENTS} .o_data_row:contains("Tour Revoked App") button[name="action_revoke"]`,
            run: "click",
        },
        {
            content: "Confirm",
            trigger: '.modal:contains("loses its access") .modal-footer .btn-primary',
            run: "click",
        },
        {
            content: "The revocation is confirmed",
            trigger: '.o_notification:contains("Access revoked: Tour Revoked App")',
        },
        ...openPreferencesAtConnectedApps(),
        {
            content: "The revoked app is gone, the other one stays",
            trigger:
                CONSENTS +
                ':has(.o_data_row:contains("Tour Kept App"))' +
                ':not(:has(.o_data_row:contains("Tour Revoked App")))',
        },
    ],
});
