// Takes screenshots of Odoo's pages as a signed-in person sees them: logs in
// through Odoo's login form, then opens each page, waits for what shows it
// loaded, and saves a PNG. Prints {"NAME": "visible text", ...} so that the
// Python test can check what each page showed.
// Usage: node screenshots.mjs BASE_URL LOGIN PASSWORD OUTPUT_DIR PAGES_JSON
// where PAGES_JSON is [{"name": ..., "path": ..., "ready": CSS selector}, ...]
import {launchChromium} from "./chromium.mjs";

const [baseUrl, login, password, outputDir, pagesJson] = process.argv.slice(2);
const browser = await launchChromium();
try {
    const page = await browser.newPage({viewport: {width: 1600, height: 900}});
    page.setDefaultTimeout(60000);
    await page.goto(`${baseUrl}/web/login`);
    await page.fill("input[name=login]", login);
    await page.fill("input[name=password]", password);
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    const shown = {};
    for (const {name, path, ready} of JSON.parse(pagesJson)) {
        await page.goto(`${baseUrl}${path}`);
        try {
            await page.locator(ready).first().waitFor();
        } catch (error) {
            console.error(`${name}: no ${ready} at ${page.url()}:`);
            console.error((await page.locator("body").innerText()).slice(0, 2000));
            throw error;
        }
        // the web client's animations settle; its bus connection never
        // lets the network go idle
        await page.waitForTimeout(1000);
        await page.screenshot({path: `${outputDir}/${name}.png`});
        shown[name] = await page.locator("body").innerText();
    }
    console.log(JSON.stringify(shown));
} finally {
    await browser.close();
}
