// Drives the system Chromium through a browser app's sign-in: the app's page
// on its own origin, Odoo's login form, the consent page, "Allow", and back to
// the app, which then calls Odoo with fetch. Prints what the app's calls
// answered (the JSON of its #result) for the Python test.
// Usage: node browser_app_flow.mjs APP_URL LOGIN PASSWORD
import {launchChromium} from "./chromium.mjs";

const [appUrl, login, password] = process.argv.slice(2);
const browser = await launchChromium();
try {
    const page = await browser.newPage();
    page.setDefaultTimeout(60000);
    page.on("console", (message) => console.error(`page: ${message.text()}`));
    await page.goto(appUrl);
    await page.fill("input[name=login]", login);
    await page.fill("input[name=password]", password);
    await page.click("button[type=submit]");
    await page.click("button[name=decision][value=allow]");
    const result = page.locator("#result");
    await result.filter({hasText: "{"}).waitFor();
    console.log(await result.textContent());
} finally {
    await browser.close();
}
