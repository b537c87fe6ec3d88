// Drives the system Chromium through a sign-in and an RP-initiated logout:
// the authorization URL, Odoo's login form, the consent page, "Allow", the
// landing on the relying party's callback; the code exchanged there for the
// id_token, as the relying party's back end does; then the logout URL with
// that id_token, whose page must load the relying party's front-channel
// logout frame and then go on to the post-logout redirect URI. Prints
// {"id_token", "landed", "errors"} for the Python test (errors: what the page
// logged, such as Content-Security-Policy violations).
// Usage: node frontchannel_logout_flow.mjs AUTHORIZE_URL LOGIN PASSWORD
//        CALLBACK TOKEN_URL CLIENT_ID CLIENT_SECRET LOGOUT_URL LOGGED_OUT
import {launchChromium} from "./chromium.mjs";

const [
    authorizeUrl,
    login,
    password,
    callback,
    tokenUrl,
    clientId,
    clientSecret,
    logoutUrl,
    loggedOut,
] = process.argv.slice(2);
const browser = await launchChromium();
try {
    const page = await browser.newPage();
    page.setDefaultTimeout(60000);
    const errors = [];
    page.on("console", (message) => {
        if (message.type() === "error") {
            errors.push(message.text());
        }
    });
    await page.goto(authorizeUrl);
    await page.fill("input[name=login]", login);
    await page.fill("input[name=password]", password);
    await page.click("button[type=submit]");
    await Promise.all([
        page.waitForURL((url) => url.href.startsWith(callback)),
        page.click("button[name=decision][value=allow]"),
    ]);
    const code = new URL(page.url()).searchParams.get("code");
    const answer = await fetch(tokenUrl, {
        method: "POST",
        headers: {
            "Content-Type": "application/x-www-form-urlencoded",
            Authorization:
                "Basic " + Buffer.from(`${clientId}:${clientSecret}`).toString("base64"),
        },
        body: new URLSearchParams({
            grant_type: "authorization_code",
            code,
            redirect_uri: callback,
        }),
    });
    const tokens = await answer.json();
    if (!tokens.id_token) {
        throw new Error(`no id_token: ${JSON.stringify(tokens)}`);
    }
    const logout = new URL(logoutUrl);
    logout.searchParams.set("id_token_hint", tokens.id_token);
    // the page goes on by itself, maybe before its own load event
    await page.goto(logout.href, {waitUntil: "commit"});
    await page.waitForURL((url) => url.href.startsWith(loggedOut));
    console.log(JSON.stringify({id_token: tokens.id_token, landed: page.url(), errors}));
} finally {
    await browser.close();
}
