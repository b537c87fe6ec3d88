// The system Chromium as the browser tests start it: headless, without the
// background connections this machine's closed network refuses.
import {chromium} from "playwright-core";

export function launchChromium() {
    return chromium.launch({
        executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
        args: [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    });
}
