// Drives the system Chromium through a portal user's Connected Apps: Odoo's
// login form, My Account (/my), whose scripts show the Connected Apps card
// once they have counted the user's apps, the card's page, "Revoke" and the
// dialog's "Revoke access". Prints what it saw for the Python test.
// Usage: node portal_flow.mjs ODOO_URL LOGIN PASSWORD [SCREENSHOT]
import {launchChromium} from "./chromium.mjs";

const [odooUrl, login, password, screenshot] = process.argv.slice(2);
const browser = await launchChromium();
try {
    const page = await browser.newPage({viewport: {width: 1100, height: 760}});
    page.setDefaultTimeout(60000);
    page.on("pageerror", (error) => console.error(`page error: ${error}`));
    await page.goto(`${odooUrl}/web/login?redirect=/my`);
    await page.fill("input[name=login]", login);
    await page.fill("input[name=password]", password);
    await page.click("button[type=submit]");
    const card = page.locator(".o_portal_index_card a[href='/orestapi/oauth2/apps']");
    await card.waitFor({state: "visible"});
    await card.click();
    await page.waitForURL("**/orestapi/oauth2/apps");
    const rows = page.locator("tr.o_oauth2_connected_app");
    const applications = await rows
        .locator("td:first-child span.fw-bold")
        .allTextContents();
    const breadcrumb = await page
        .locator("ol.o_portal_submenu li.active")
        .textContent();
    if (screenshot) {
        await page.screenshot({path: screenshot});
    }
    await rows.first().locator("button", {hasText: "Revoke"}).click();
    const dialog = page.locator(".o_oauth2_revoke_modal.show");
    await dialog.waitFor({state: "visible"});
    const question = await dialog.locator(".modal-title").textContent();
    await Promise.all([
        page.waitForURL("**/orestapi/oauth2/apps"),
        dialog.locator("button[type=submit]").click(),
    ]);
    const after = await page.locator("tr.o_oauth2_connected_app").count();
    const emptyState = await page.locator(".o_oauth2_connected_apps .alert").count();
    console.log(
        JSON.stringify({
            applications: applications.map((name) => name.trim()),
            breadcrumb: breadcrumb.trim(),
            question: question.replace(/\s+/g, " ").trim(),
            rows_after: after,
            empty_state: emptyState,
        })
    );
} finally {
    await browser.close();
}
