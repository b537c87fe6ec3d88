/** @odoo-module **/
/* Copyright 2026 Orest
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

// What an OAuth2 Manager who is not a Settings administrator does on the
// screens, started by tests/test_tour_manager.py, which creates the records.

import {registry} from "@web/core/registry";

const CONFIRM = ".modal-footer button.btn-primary";

function openMenu(xmlid, parentXmlid) {
    const steps = [];
    if (parentXmlid) {
        steps.push({
            content: `open the ${parentXmlid} menu`,
            trigger: `.o_menu_sections button[data-menu-xmlid="${parentXmlid}"]`,
            run: "click",
        });
    }
    steps.push({
        content: `open ${xmlid}`,
        trigger: `[data-menu-xmlid="${xmlid}"]`,
        run: "click",
    });
    return steps;
}

registry.category("web_tour.tours").add("orestapi_oauth2_manager", {
    url: "/odoo",
    steps: () => [
        {
            content: "open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "the Settings app is not the manager's",
            trigger:
                ".o-dropdown--menu:has(.o_app[data-menu-xmlid='orestapi_oauth2.oauth2_menu_root']):not(:has(.o_app[data-menu-xmlid='base.menu_administration']))",
        },
        {
            content: "open OAuth2",
            trigger: ".o_app[data-menu-xmlid='orestapi_oauth2.oauth2_menu_root']",
            run: "click",
        },
        // Configuration: scopes and signing keys, but not the settings
        // (outbound allowed networks among them), which Odoo opens to Settings
        // administrators only
        {
            content: "open Configuration",
            trigger:
                ".o_menu_sections button[data-menu-xmlid='orestapi_oauth2.oauth2_configuration_menu']",
            run: "click",
        },
        {
            content: "Scopes and Signing Keys, no Settings",
            trigger:
                ".o-dropdown--menu:has([data-menu-xmlid='orestapi_oauth2.oauth2_signing_key_menu']):not(:has([data-menu-xmlid='orestapi_oauth2.oauth2_settings_menu']))",
        },
        {
            content: "close Configuration",
            trigger:
                ".o_menu_sections button[data-menu-xmlid='orestapi_oauth2.oauth2_configuration_menu']",
            run: "click",
        },

        // Acts As: the form warns of an administrator
        ...openMenu("orestapi_oauth2.oauth2_application_menu"),
        {
            content: "new application",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "name it",
            trigger: ".o_field_widget[name=name] input",
            run: "edit Tour App",
        },
        {
            content: "no Acts As until chosen, and no warning",
            trigger:
                ".o_form_view:not(:has(.alert-danger)) .o_field_widget[name=user_id] input",
            run() {
                if (this.anchor.value) {
                    throw new Error(`Acts As defaults to ${this.anchor.value}.`);
                }
            },
        },
        {
            content: "allow client credentials",
            trigger: ".o_field_widget[name=grant_client_credentials] input",
            run: "click",
        },
        {
            content: "Acts As is now required",
            trigger: ".o_required_modifier.o_field_widget[name=user_id]",
        },
        {
            content: "choose an administrator",
            trigger: ".o_field_widget[name=user_id] input",
            run: "edit Tour Administrator",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('Tour Administrator')",
            run: "click",
        },
        {
            content: "the form warns",
            trigger:
                ".o_form_view .alert-danger:contains('Acts As is an administrator')",
        },
        {
            content: "choose oneself instead",
            trigger: ".o_field_widget[name=user_id] input",
            run: "edit Tour Manager",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains('Tour Manager')",
            run: "click",
        },
        {
            content: "no warning for a user without Settings rights",
            trigger:
                ".o_form_view:not(:has(.alert-danger)) .o_field_widget[name=user_id] input",
            run() {
                if (this.anchor.value !== "Tour Manager") {
                    throw new Error(`Acts As reads ${this.anchor.value}.`);
                }
            },
        },
        {
            content: "save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "saved",
            trigger:
                ".o_form_view .o_form_status_indicator_buttons.invisible:not(:visible)",
        },

        // Tokens: a click opens the token, which is revoked from its form
        ...openMenu("orestapi_oauth2.oauth2_token_menu"),
        {
            content: "open the newest token",
            trigger: ".o_list_view tbody tr.o_data_row:nth-child(1) td[name=user_id]",
            run: "click",
        },
        {
            content: "it opens, active",
            trigger:
                ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Active')",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_revoke]",
            run: "click",
        },
        {trigger: CONFIRM, run: "click"},
        {
            content: "revoked, and no Revoke for a revoked token",
            trigger:
                ".o_form_view:not(:has(button[name=action_revoke])) .o_statusbar_status .o_arrow_button_current:contains('Revoked')",
        },

        // Consents: revoked from the list
        ...openMenu("orestapi_oauth2.oauth2_consent_menu"),
        {
            content: "revoke OAuth User's consent to Other",
            trigger:
                ".o_data_row:contains('OAuth User'):contains('Other') button[name=action_revoke]",
            run: "click",
        },
        {trigger: CONFIRM, run: "click"},
        {
            content: "the consent is gone",
            trigger: ".o_action:not(:has(.o_data_row:contains('OAuth User')))",
        },

        // Back-channel logout: a failed notification posted again
        ...openMenu("orestapi_oauth2.oauth2_logout_notification_menu"),
        {
            content: "open the failed notification",
            trigger: ".o_data_row:contains('OAuth User') .o_data_cell[name=user_id]",
            run: "click",
        },
        {
            trigger:
                ".o_form_view .o_statusbar_status .o_arrow_button_current:contains('Failed')",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_retry]",
            run: "click",
        },
        {
            // The form, reloaded, counts the attempts from zero again. Twice in
            // CI runs it showed that, and the new next attempt, beside the old
            // state (Failed), which no write of the server leaves: the state
            // is checked in the database once the tour is over.
            content: "attempts counted from zero again",
            trigger: ".o_form_view .o_field_widget[name=attempts]:contains('0')",
        },

        // Throttles: lifted
        ...openMenu(
            "orestapi_oauth2.oauth2_client_auth_throttle_menu",
            "orestapi_oauth2.oauth2_reporting_menu"
        ),
        {
            content: "lift the pause of the failing address",
            trigger: ".o_data_row:contains('198.51.100.7') button[name=action_lift]",
            run: "click",
        },
        {trigger: CONFIRM, run: "click"},
        {
            content: "its failures are forgotten",
            trigger: ".o_action:not(:has(.o_data_row:contains('198.51.100.7')))",
        },

        // Usage: counts are whole numbers, in the graph and the pivot
        ...openMenu(
            "orestapi_oauth2.oauth2_usage_menu",
            "orestapi_oauth2.oauth2_reporting_menu"
        ),
        {
            content: "the graph's axis counts whole tokens",
            trigger: ".o_graph_renderer canvas",
            async run() {
                let chart = null;
                for (let wait = 0; !chart && wait < 50; wait++) {
                    chart = window.Chart?.getChart(this.anchor);
                    await new Promise((resolve) => setTimeout(resolve, 100));
                }
                if (!chart) {
                    throw new Error("The usage graph was not drawn.");
                }
                const labels = chart.scales.y.ticks.map((tick) => tick.label);
                if (!labels.length || !labels.every((label) => /^\d+$/.test(label))) {
                    throw new Error(`Counts read ${labels.join(", ")}`);
                }
            },
        },
        {
            trigger: ".o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "the pivot counts the three tokens issued, in whole numbers",
            trigger: ".o_pivot table:has(th:contains('Tokens')) tbody tr:nth-child(1)",
            run() {
                const total = [...this.anchor.querySelectorAll(".o_pivot_cell_value")]
                    .at(-1)
                    .textContent.trim();
                if (total !== "3") {
                    throw new Error(`The pivot counts ${total} tokens.`);
                }
            },
        },
    ],
});
