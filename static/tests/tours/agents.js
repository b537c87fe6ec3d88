/** @odoo-module **/
// Copyright 2026 Orest
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import {registry} from "@web/core/registry";
import {chooseOption, field, openMenu} from "./tour_helpers";

const RESOURCE_IDENTIFIER = "https://mcp.example.com/mcp";
// The initial access token the form showed, to prove it is shown once.
const shown = {};
const TOKEN_KEY = "orestapi_oauth2_agents_tour_token";

function openConfiguration(xmlid) {
    return [openMenu("oauth2_configuration_menu"), openMenu(xmlid)];
}

function openApplication(name) {
    return [
        openMenu("oauth2_application_menu"),
        {
            content: `Open the application ${name}`,
            trigger: `.o_list_view .o_data_row td[name=name]:contains(${name})`,
            run: "click",
        },
        {trigger: `${field("name")}:value(${name})`},
    ];
}

registry.category("web_tour.tours").add("orestapi_oauth2_agents", {
    steps: () => [
        {trigger: ".o_navbar_apps_menu button", run: "click"},
        {
            content: "Open the OAuth2 app",
            trigger: '.o_app[data-menu-xmlid="orestapi_oauth2.oauth2_menu_root"]',
            run: "click",
        },

        // Protected resources: Odoo's own APIs are one; register an MCP server.
        ...openConfiguration("oauth2_resource_menu"),
        {
            content: "Odoo's own APIs are listed as a protected resource",
            trigger: ".o_list_view .o_data_row td[name=name]:contains(Odoo APIs)",
        },
        {trigger: ".o_list_button_add", run: "click"},
        {trigger: field("name"), run: "edit Tour MCP Server"},
        {trigger: field("identifier"), run: `edit ${RESOURCE_IDENTIFIER}`},
        {
            trigger: ".o_field_widget[name=scope_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Choose the read scope",
            trigger: ".modal .o_list_view .o_data_row td[name=name]:contains(read)",
            run: "click",
        },
        {
            trigger:
                "body:not(:has(.modal)) .o_field_widget[name=scope_ids] .o_data_row td[name=name]:contains(read)",
        },
        {trigger: ".o_form_button_save", run: "click"},
        {trigger: ".o_form_saved"},
        ...openConfiguration("oauth2_resource_menu"),
        {
            content: "The new resource is listed with its identifier",
            trigger: `.o_list_view .o_data_row:has(td[name=name]:contains(Tour MCP Server)) td[name=identifier]:contains(${RESOURCE_IDENTIFIER})`,
        },

        // Initial access tokens: the token is shown once, when saved.
        ...openConfiguration("oauth2_registration_token_menu"),
        {trigger: ".o_list_button_add", run: "click"},
        {trigger: field("name"), run: "edit Tour agents"},
        {trigger: ".o_form_button_save", run: "click"},
        {
            content: "Saved, the token is shown with a copy button",
            trigger:
                ".o_form_saved .alert-warning div[name=token]:has(.o_clipboard_button) span",
            run() {
                shown.token = this.anchor.textContent.trim();
                if (shown.token.length < 32) {
                    throw new Error(`The form showed no token: "${shown.token}"`);
                }
                // kept across the settings' reload, to register with it
                sessionStorage.setItem(TOKEN_KEY, shown.token);
            },
        },
        {
            content: "Close the token's form",
            trigger: ".o_breadcrumb .o_back_button a, .o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "Open the token again",
            trigger: ".o_list_view .o_data_row td[name=name]:contains(Tour agents)",
            run: "click",
        },
        {
            content: "Opened again, the token is nowhere on the screen",
            trigger:
                ".o_form_saved .o_field_widget[name=name] input:value(Tour agents)",
            run() {
                if (document.querySelector(".o_form_view div[name=token]")) {
                    throw new Error("The token's field is shown again");
                }
                if (document.body.innerText.includes(shown.token)) {
                    throw new Error("The token is shown again");
                }
            },
        },

        // An application gets the token exchange and device code grants.
        ...openApplication("Tour Agent Gateway"),
        {trigger: ".o_notebook a.nav-link[name=grants]", run: "click"},
        {trigger: field("grant_token_exchange"), run: "click"},
        {trigger: field("grant_device_code"), run: "click"},
        {trigger: ".o_form_button_save", run: "click"},
        {
            trigger:
                ".o_form_saved .o_field_widget[name=grant_token_exchange] input:checked",
        },
        {
            trigger:
                ".o_form_saved .o_field_widget[name=grant_device_code] input:checked",
        },

        // A self-registered application: its banner, then suspended.
        ...openApplication("Tour Self-Registered Agent"),
        {
            content: "The banner says the application registered itself",
            trigger:
                ".o_form_view div[name=self_registered_banner]:contains(Registered by itself)",
        },
        {
            trigger: ".o_form_statusbar button[name=action_suspend_registration]",
            run: "click",
        },
        {
            content: "Confirm that its tokens stop working",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Suspended: archived, and the banner says so",
            trigger:
                "body:not(:has(.modal)) .o_form_view:has(.ribbon:contains(Archived)) div[name=self_registered_banner]:contains(Suspended by an administrator)",
        },
        {
            trigger:
                ".o_form_view:not(:has(button[name=action_suspend_registration])) .o_form_statusbar button[name=action_resume_registration]",
        },

        // Settings: registration with an initial access token, and client ID
        // metadata documents.
        ...openConfiguration("oauth2_settings_menu"),
        chooseOption(
            "oauth2_client_registration",
            "token",
            "With an initial access token"
        ),
        chooseOption("oauth2_client_id_metadata_documents", "on", "On"),
        // saving the settings reloads the page
        {trigger: ".o_form_button_save", run: "click", expectUnloadPage: true},
        {
            content: "Saved: client registration reads back as set",
            trigger:
                ".o_field_widget[name=oauth2_client_registration]:has(select option:checked:contains(With an initial access token)), .o_field_widget[name=oauth2_client_registration] input:value(With an initial access token)",
        },
        {
            content: "Saved: client ID metadata documents read back as on",
            trigger:
                ".o_field_widget[name=oauth2_client_id_metadata_documents]:has(select option:checked:contains(On)), .o_field_widget[name=oauth2_client_id_metadata_documents] input:value(On)",
        },
        {
            trigger:
                ".o_field_widget[name=oauth2_client_id_metadata_document_hosts] input",
        },
        {
            content: "The token the form showed registers an agent",
            trigger: "body",
            async run() {
                const token = sessionStorage.getItem(TOKEN_KEY);
                sessionStorage.removeItem(TOKEN_KEY);
                const response = await fetch("/orestapi/oauth2/register", {
                    method: "POST",
                    headers: {
                        "Content-Type": "application/json",
                        Authorization: `Bearer ${token}`,
                    },
                    body: JSON.stringify({
                        client_name: "Tour Registered Agent",
                        redirect_uris: ["http://127.0.0.1:33418/callback"],
                        token_endpoint_auth_method: "none",
                        scope: "read",
                    }),
                });
                const body = await response.json();
                if (response.status !== 201 || !body.client_id) {
                    throw new Error(
                        `The shown token registered nothing: ${JSON.stringify(body)}`
                    );
                }
            },
        },
    ],
});
