/* Copyright 2026 Orest
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */

import {registry} from "@web/core/registry";

// A user opens the link a device shows (verification_uri_complete): the code
// is filled in, not sent; they confirm it, read what the device asks for on
// the consent screen, and allow it (RFC 8628 §3.3, §5.4).
registry.category("web_tour.tours").add("orestapi_oauth2_device_user", {
    steps: () => [
        {
            content: "The code from the link is filled in, waiting for the user",
            trigger: '.o_oauth2_device input[name="user_code"]:value("BCDF-GHJK")',
        },
        {
            content: "Confirm the code",
            trigger: '.o_oauth2_device button[type="submit"]:contains("Continue")',
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The consent screen names the application and the device's code",
            trigger:
                '.o_oauth2_consent:contains("Tour Device App")' +
                ':has(.o_oauth2_device_user_code:contains("BCDF-GHJK"))',
        },
        {
            content: "Allow the device",
            trigger: '.o_oauth2_consent button[value="allow"]',
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The user is told to return to the device",
            trigger: '.o_oauth2_device_done:contains("Device connected")',
        },
    ],
});
