// Drives the system Chromium through the whole consent journey like a person:
// the authorization URL, Odoo's login form, the consent page, "Allow", and the
// landing on the client's redirect URI. Prints {"url": ...} for the Python test.
// Usage: node consent_flow.mjs AUTHORIZE_URL LOGIN PASSWORD REDIRECT_PREFIX [SCREENSHOT]
import {launchChromium} from "./chromium.mjs";

const [authorizeUrl, login, password, redirectPrefix, screenshot] =
    process.argv.slice(2);
const browser = await launchChromium();
try {
    const page = await browser.newPage({viewport: {width: 900, height: 760}});
    page.setDefaultTimeout(60000);
    await page.goto(authorizeUrl);
    await page.fill("input[name=login]", login);
    await page.fill("input[name=password]", password);
    await page.click("button[type=submit]");
    const allow = page.locator("button[name=decision][value=allow]");
    try {
        await allow.waitFor();
    } catch (error) {
        console.error(`No consent page at ${page.url()}:`);
        console.error((await page.locator("body").innerText()).slice(0, 2000));
        throw error;
    }
    if (screenshot) {
        await page.screenshot({path: screenshot});
    }
    await Promise.all([
        page.waitForURL((url) => url.href.startsWith(redirectPrefix)),
        allow.click(),
    ]);
    console.log(JSON.stringify({url: page.url()}));
} finally {
    await browser.close();
}
