/* Copyright 2026 Orest
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

import {registry} from "@web/core/registry";

// A portal user finds Connected Apps from My Account, sees only the
// applications they allowed, and revokes one: it leaves the page.
registry.category("web_tour.tours").add("orestapi_oauth2_portal_user", {
    url: "/my",
    steps: () => [
        {
            content: "Open Connected Apps from My Account",
            trigger: 'a[href="/orestapi/oauth2/apps"]:contains("Connected Apps")',
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Only the user's own applications are listed",
            trigger:
                ".o_oauth2_connected_apps" +
                ':has(tr.o_oauth2_connected_app:contains("Tour Revoked App"))' +
                ':has(tr.o_oauth2_connected_app:contains("Tour Kept App"))' +
                ':not(:has(:contains("Tour Other Person App")))',
        },
        {
            content: "Ask to revoke the portal app",
            trigger:
                'tr.o_oauth2_connected_app:contains("Tour Revoked App") button:contains("Revoke")',
            run: "click",
        },
        {
            content: "Confirm in the dialog",
            trigger:
                '.o_oauth2_revoke_modal.show:contains("Tour Revoked App") button[type=submit]:contains("Revoke access")',
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The revoked app is gone, the other one stays",
            trigger:
                ".o_oauth2_connected_apps" +
                ':has(tr.o_oauth2_connected_app:contains("Tour Kept App"))' +
                ':not(:has(tr.o_oauth2_connected_app:contains("Tour Revoked App")))',
        },
    ],
});
