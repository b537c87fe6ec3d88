/** @odoo-module **/
// Copyright 2026 Orest
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

import {registry} from "@web/core/registry";
import {chooseOption, field, openMenu} from "./tour_helpers";

const HAND_SET_SECRET = "a-secret-the-administrator-chose-by-hand-in-the-tour";
// The public key a FAPI 2.0 application registers for its client assertions.
const FAPI_JWKS = JSON.stringify({
    keys: [
        {
            kty: "EC",
            crv: "P-256",
            x: "wdzbVvAeXUXj8y-Xd7LFy_KjBh_SvPQMn2UFxUQeJus",
            y: "BxnnPBn9MHo6leB0RN03HCyP4XGRW6IoD_7PZuqQ4OM",
            kid: "tour-fapi",
            use: "sig",
            alg: "ES256",
        },
    ],
});
// The secrets the dialog showed, to prove that they work and are shown once.
const shown = {};

function newApplication(name) {
    return [
        openMenu("oauth2_application_menu"),
        {trigger: ".o_list_button_add", run: "click"},
        {trigger: field("name"), run: `edit ${name}`},
    ];
}

function openTab(name) {
    return {trigger: `.o_notebook a.nav-link[name=${name}]`, run: "click"};
}

function saveShowingStatus(status) {
    return [
        {trigger: ".o_form_button_save", run: "click"},
        {
            content: `Saved, the form says: ${status}`,
            trigger: `.o_form_saved div[name=client_secret_status] .badge:contains("${status}"):visible`,
        },
    ];
}

function generateSecret(key) {
    return [
        {
            trigger: ".o_form_saved button[name=action_generate_client_secret]",
            run: "click",
        },
        {
            content: "Confirm that the current secret stops working",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The dialog shows the new secret with a copy button",
            trigger: ".modal div[name=client_secret]:has(.o_clipboard_button) span",
            run() {
                shown[key] = this.anchor.textContent.trim();
                if (shown[key].length < 43) {
                    throw new Error(`The dialog showed no secret: "${shown[key]}"`);
                }
            },
        },
        {trigger: ".modal-footer button:contains(Done)", run: "click"},
        {
            content: "Once closed, the secret is nowhere on the screen",
            trigger: "body:not(:has(.modal)) .o_form_saved",
            run() {
                if (document.body.innerText.includes(shown[key])) {
                    throw new Error("The secret is still shown after its dialog");
                }
            },
        },
        {
            content: "Nobody can read it back: the show-once model finds nothing",
            trigger: "body",
            async run() {
                const response = await fetch(
                    "/web/dataset/call_kw/oauth2.application.secret/search_read",
                    {
                        method: "POST",
                        headers: {"Content-Type": "application/json"},
                        body: JSON.stringify({
                            jsonrpc: "2.0",
                            method: "call",
                            params: {
                                model: "oauth2.application.secret",
                                method: "search_read",
                                args: [],
                                kwargs: {},
                            },
                        }),
                    }
                );
                const {result} = await response.json();
                if (!Array.isArray(result) || result.length) {
                    throw new Error(
                        `The secret model answered ${JSON.stringify(result)}`
                    );
                }
            },
        },
        {
            content: "The chatter says who regenerated the secret, never the secret",
            trigger: ".o-mail-Message:contains(Client secret regenerated)",
            run() {
                if (
                    document
                        .querySelector(".o-mail-Thread")
                        .innerText.includes(shown[key])
                ) {
                    throw new Error("The chatter shows the secret");
                }
            },
        },
    ];
}

function setting(name, value) {
    return {trigger: `.o_field_widget[name=${name}] input`, run: `edit ${value}`};
}

function toggle(name) {
    return {trigger: `.o_field_widget[name=${name}] input`, run: "click"};
}

registry.category("web_tour.tours").add("orestapi_oauth2_administrator", {
    steps: () => [
        {trigger: ".o_navbar_apps_menu button", run: "click"},
        {
            content: "Open the OAuth2 app",
            trigger: '.o_app[data-menu-xmlid="orestapi_oauth2.oauth2_menu_root"]',
            run: "click",
        },

        // A confidential application with the authorization code, implicit
        // and OpenID Connect: its secret is shown once, on save.
        ...newApplication("Tour Confidential"),
        {trigger: field("grant_implicit"), run: "click"},
        openTab("redirect_uris"),
        {
            trigger: field("redirect_uris", "textarea"),
            run: "edit https://client.example.com/cb",
        },
        openTab("openid_connect"),
        chooseOption("subject_type", "pairwise", "Pairwise"),
        chooseOption("id_token_signed_response_alg", "ES256", "ES256"),
        {trigger: ".o_form_button_save", run: "click"},
        {
            content: "The new secret is shown on save, with a copy button",
            trigger:
                ".o_form_saved .alert-warning div[name=client_secret]:has(.o_clipboard_button) span",
            run() {
                if (this.anchor.textContent.trim().length < 43) {
                    throw new Error("No secret shown after saving");
                }
            },
        },
        {
            content: "The secret's hash is on no screen",
            trigger:
                ".o_form_view div[name=client_secret_status] .badge:contains(Secret set):visible",
            run() {
                if (document.querySelector("[name=client_secret_hash]")) {
                    throw new Error("The form shows the secret's hash");
                }
            },
        },
        ...generateSecret("confidential"),
        {
            content: "Set a secret by hand",
            trigger: ".o_form_saved button[name=action_set_client_secret]",
            run: "click",
        },
        {trigger: `.modal ${field("client_secret")}`, run: "edit too-short-a-secret"},
        {trigger: ".modal-footer button:contains(Set secret)", run: "click"},
        {
            content: "A weak secret is refused, saying why",
            trigger: ".o_error_dialog:contains(at least 32 characters)",
        },
        {trigger: ".o_error_dialog .modal-footer .btn-primary", run: "click"},
        {
            trigger: `body:not(:has(.o_error_dialog)) .modal ${field("client_secret")}`,
            run: `edit ${HAND_SET_SECRET}`,
        },
        {trigger: ".modal-footer button:contains(Set secret)", run: "click"},
        {
            content: "The chatter says the secret was set by hand, never what it is",
            trigger:
                "body:not(:has(.modal)) .o-mail-Message:contains(Client secret set by hand)",
            run() {
                if (document.body.innerText.includes(HAND_SET_SECRET)) {
                    throw new Error("The secret set by hand is shown");
                }
            },
        },

        // A public client: PKCE, no secret.
        ...newApplication("Tour Public"),
        {trigger: `${field("client_type", "input")}[data-value=public]`, run: "click"},
        openTab("redirect_uris"),
        {
            trigger: field("redirect_uris", "textarea"),
            run: "edit http://127.0.0.1:8765/cb",
        },
        ...saveShowingStatus("No secret (public client)"),
        {
            content: "A public client has no secret to generate nor to set",
            trigger:
                ".o_form_saved:not(:has(button[name=action_generate_client_secret])):not(:has(button[name=action_set_client_secret]))",
        },

        // A client_credentials application: the secret the dialog shows is
        // the one the token endpoint takes.
        ...newApplication("Tour Client Credentials"),
        {trigger: field("grant_authorization_code"), run: "click"},
        {trigger: field("grant_client_credentials"), run: "click"},
        {
            content: "Client credentials act as a user the administrator chooses",
            trigger: field("user_id"),
            run: "edit Tour Service",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(Tour Service)",
            run: "click",
        },
        ...saveShowingStatus("Secret set"),
        ...generateSecret("client_credentials"),
        {
            content: "The shown secret gets a token",
            trigger: field("client_id"),
            async run() {
                const response = await fetch("/orestapi/oauth2/access_token", {
                    method: "POST",
                    headers: {"Content-Type": "application/x-www-form-urlencoded"},
                    body: new URLSearchParams({
                        grant_type: "client_credentials",
                        client_id: this.anchor.value,
                        client_secret: shown.client_credentials,
                    }),
                });
                const body = await response.json();
                if (response.status !== 200 || !body.access_token) {
                    throw new Error(
                        `No token for the shown secret: ${JSON.stringify(body)}`
                    );
                }
            },
        },

        // A FAPI 2.0 application: the switch sets what the profile requires,
        // and a setting that contradicts it is refused on save, saying which.
        ...newApplication("Tour FAPI"),
        {trigger: field("fapi2_profile"), run: "click"},
        {
            content: "The form explains the switch in one sentence",
            trigger: ".o_form_view div.text-muted:contains(FAPI 2.0 Security Profile)",
        },
        {
            content:
                "The profile asks for DPoP and private_key_jwt, whose algorithm shows",
            trigger:
                ".o_form_view:has(.o_field_widget[name=dpop_bound_access_tokens] input:checked) .o_field_widget[name=token_endpoint_auth_signing_alg]",
        },
        {
            content: "A private_key_jwt client is asked for no secret",
            trigger:
                ".o_form_view div[name=client_secret_status]:not(:has(.badge:visible))",
        },
        {
            content: "The profile's access token lifetime is the application's own",
            trigger: field("access_token_lifetime"),
            run() {
                if (["", "0"].includes(this.anchor.value.trim())) {
                    throw new Error("The profile left the global lifetime");
                }
            },
        },
        chooseOption("token_endpoint_auth_signing_alg", "RS256", "RS256"),
        openTab("redirect_uris"),
        {
            trigger: field("redirect_uris", "textarea"),
            run: "edit https://bank.example.com/cb",
        },
        openTab("openid_connect"),
        {
            content: "The profile requires pushed authorization requests",
            trigger:
                ".o_field_widget[name=require_pushed_authorization_requests] input:checked",
        },
        {
            trigger: field("jwks", "textarea"),
            async run(helpers) {
                await helpers.edit(FAPI_JWKS);
            },
        },
        {trigger: ".o_form_button_save", run: "click"},
        {
            content: "RS256 is refused, naming the setting to change",
            trigger:
                ".o_error_dialog:contains(Client Assertion Algorithm: empty or one of PS256, ES256)",
        },
        {trigger: ".o_error_dialog .modal-footer .btn-primary", run: "click"},
        {trigger: "body:not(:has(.o_error_dialog)) .o_form_view"},
        chooseOption("token_endpoint_auth_signing_alg", "ES256", "ES256"),
        {trigger: ".o_form_button_save", run: "click"},
        {
            content: "Saved with ES256: the form shows the profile on",
            trigger: ".o_form_saved .o_field_widget[name=fapi2_profile] input:checked",
        },

        // Signing keys: rotate them from their list.
        openMenu("oauth2_configuration_menu"),
        openMenu("oauth2_signing_key_menu"),
        {trigger: ".o_list_view .o_data_row .badge:contains(signing)"},
        {trigger: ".o_control_panel button:contains(Rotate)", run: "click"},
        {trigger: ".modal-footer .btn-primary", run: "click"},
        {
            content: "The replaced keys stay published beside the new ones",
            trigger:
                "body:not(:has(.modal)) .o_list_view .o_data_row .badge:contains(published)",
        },

        // Every OAuth2 setting, changed and saved.
        openMenu("oauth2_configuration_menu"),
        openMenu("oauth2_settings_menu"),
        setting("oauth2_issuer_url", "https://sso.tour.example"),
        setting("oauth2_id_token_lifetime", "1200"),
        setting("oauth2_key_rotation_days", "30"),
        toggle("oauth2_email_verified"),
        setting("oauth2_access_token_lifetime", "1800"),
        setting("oauth2_refresh_token_lifetime", "864000"),
        setting("oauth2_cleanup_grace_days", "14"),
        setting("oauth2_authorization_code_lifetime", "120"),
        toggle("oauth2_require_pkce"),
        setting("oauth2_client_auth_max_failures", "7"),
        setting("oauth2_client_auth_failure_window", "900"),
        toggle("oauth2_revoke_all_tokens_on_password_change"),
        setting("oauth2_outbound_allowed_networks", "10.20.0.0/16"),
        toggle("oauth2_accept_older_client_requests"),
        // saving the settings reloads the page
        {trigger: ".o_form_button_save", run: "click", expectUnloadPage: true},
        {
            content: "Saved: the settings read back as set",
            trigger:
                '.o_field_widget[name=oauth2_issuer_url] input:value("https://sso.tour.example")',
        },
        {
            trigger:
                ".o_field_widget[name=oauth2_client_auth_max_failures] input:value(7)",
        },
        {trigger: ".o_field_widget[name=oauth2_require_pkce] input:checked"},
    ],
});
