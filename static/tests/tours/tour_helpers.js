/** @odoo-module **/
// Copyright 2026 Orest
// License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

// Steps the administrators' tours share.

import {waitFor} from "@odoo/hoot-dom";

export function openMenu(xmlid) {
    return {
        content: `Open the ${xmlid} menu`,
        trigger: `[data-menu-xmlid="orestapi_oauth2.${xmlid}"]`,
        run: "click",
    };
}

export function field(name, element = "input") {
    return `.o_form_view .o_field_widget[name=${name}] ${element}`;
}

// A selection field is a <select> on Odoo 18.0 and a menu on 19.0.
export function chooseOption(name, value, label) {
    const widget = `.o_form_view .o_field_widget[name=${name}]`;
    return {
        content: `Choose ${label} as ${name}`,
        trigger: `${widget} select, ${widget} .o_select_menu_toggler`,
        async run(helpers) {
            if (helpers.anchor.tagName === "SELECT") {
                await helpers.select(JSON.stringify(value));
                return;
            }
            await helpers.click();
            const option = `.o_select_menu_item:contains(${label})`;
            await waitFor(option);
            await helpers.click(option);
        },
    };
}
