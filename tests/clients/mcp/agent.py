# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""An MCP agent that nobody set up, written with the official MCP Python
SDK: it discovers Odoo from the MCP server's RFC 9728 metadata, gets itself
a client ID, by a Client ID Metadata Document (``--mode cimd``), by RFC 7591
dynamic registration (``--mode dcr``), or uses one registered by hand
(``--mode preregistered``), and has the user authorize it with the code flow
and PKCE on a loopback redirect URI of an ephemeral port; or it asks for a
device code and polls while the user approves elsewhere (``--mode device``).

The user's browser is played over HTTP: Odoo's login page filled in with the
user's password, the consent page answered. Tokens are kept in memory.

It runs in the test-only virtual environment of requirements.lock and takes
one command a line on stdin, answering each with one JSON line on stdout:

    call [LIMIT]   call the MCP server's list_partners tool
    expire         forget when the access token expires: treat it as expired
                   (as the client's clock would once expires_in is past)
    token          the access token the agent holds
    quit

Events of the user's browser (``{"event": ...}``) are printed as they happen.
"""

import argparse
import faulthandler
import json
import signal
import sys
import threading
import time
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urljoin, urlsplit

import anyio
import httpx2
from mcp.client import Client
from mcp.client.auth import AuthorizationCodeResult, OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import (
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthToken,
)

DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code"


def emit(**fields):
    # stdout is the agent's answer to the test, one JSON line each
    sys.stdout.write(json.dumps(fields, default=str) + "\n")
    sys.stdout.flush()


class PostForm(HTMLParser):
    """The first ``method="post"`` form of a page: its action and hidden
    fields."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.fields = {}
        self.state = "before"

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.state == "before" and tag == "form":
            if (attrs.get("method") or "").lower() == "post":
                self.state = "in"
                self.action = attrs.get("action")
        elif self.state == "in" and tag == "input":
            if attrs.get("type") == "hidden" and attrs.get("name"):
                self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if self.state == "in" and tag == "form":
            self.state = "after"


class Browser:
    """The user's browser: a cookie jar on Odoo, the user's password, and a
    decision for consent pages (``allow``, or ``deny`` from the second one
    on when ``consent_again`` is false)."""

    def __init__(self, odoo, login, password, consent_again):
        self.odoo = odoo.rstrip("/")
        self.login = login
        self.password = password
        self.consent_again = consent_again
        self.client = httpx2.AsyncClient(timeout=60, follow_redirects=False)
        self.consent_pages = 0

    def absolute(self, url):
        return urljoin(self.odoo + "/", url)

    async def submit(self, page, values):
        form = PostForm()
        form.feed(page.text)
        data = {**form.fields, **values}
        action = self.absolute(form.action or str(page.url))
        return await self.client.post(action, data=data)

    async def visit(self, url):
        """Open ``url`` and go on as a person would until the server sends
        the browser out of Odoo (to the application's redirect URI, which is
        then opened too) or shows a page it has nothing to do on."""
        response = await self.client.get(url)
        for _step in range(10):
            if response.is_redirect:
                location = self.absolute(response.headers["Location"])
                if not location.startswith(self.odoo):
                    emit(event="redirected", location=location.split("?")[0])
                    await self.client.get(location)
                    return location
                response = await self.client.get(location)
                continue
            path = urlsplit(str(response.url)).path
            if response.status_code == 200 and path == "/web/login":
                emit(event="login_page")
                response = await self.submit(
                    response, {"login": self.login, "password": self.password}
                )
                continue
            if response.status_code == 200 and 'value="allow"' in response.text:
                self.consent_pages += 1
                decision = (
                    "allow" if self.consent_pages == 1 or self.consent_again else "deny"
                )
                emit(event="consent_page", decision=decision)
                response = await self.submit(response, {"decision": decision})
                continue
            emit(event="page", status=response.status_code, path=path)
            return None
        raise RuntimeError("the browser went round in circles")


class LoopbackReceiver:
    """The agent's redirect URI: an HTTP server on an ephemeral (or given)
    port of 127.0.0.1 (RFC 8252 §7.3), taking one authorization response at
    a time."""

    def __init__(self, port=0):
        receiver = self
        self.answers = []
        self.arrived = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                if parts.path == "/callback":
                    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                    receiver.answers.append(params)
                    receiver.arrived.set()
                body = b"You may close this window."
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.redirect_uri = f"http://127.0.0.1:{self.httpd.server_address[1]}/callback"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    async def next_answer(self):
        got = await anyio.to_thread.run_sync(self.arrived.wait, 120)
        if not got:
            raise TimeoutError("no authorization response came to the loopback")
        self.arrived.clear()
        return self.answers.pop(0)


class MemoryStorage:
    """The SDK's TokenStorage, in memory."""

    def __init__(self, client_info=None):
        self.tokens = None
        self.client_info = client_info

    async def get_tokens(self):
        return self.tokens

    async def set_tokens(self, tokens):
        self.tokens = tokens

    async def get_client_info(self):
        return self.client_info

    async def set_client_info(self, client_info):
        self.client_info = client_info
        emit(event="client", client_id=client_info.client_id)


class DeviceFlowAuth(httpx2.Auth):
    """Bearer authentication with a token from the device flow (RFC 8628),
    which the SDK's providers do not implement: the agent asks for a device
    code, shows the user where to enter it, and polls."""

    def __init__(self, token):
        self.token = token

    def auth_flow(self, request):
        request.headers["Authorization"] = f"Bearer {self.token.access_token}"
        yield request


async def device_flow(options, resource):
    async with httpx2.AsyncClient(timeout=60) as client:
        metadata = (await client.get(resource_metadata_url(options.mcp))).json()
        issuer = metadata["authorization_servers"][0].rstrip("/")
        server = (
            await client.get(f"{issuer}/.well-known/oauth-authorization-server")
        ).json()
        request = {
            "client_id": options.client_id,
            "scope": " ".join(metadata.get("scopes_supported") or []),
            "resource": metadata["resource"],
        }
        answer = await client.post(
            server["device_authorization_endpoint"], data=request
        )
        if answer.status_code != 200:
            emit(event="device_error", status=answer.status_code, body=answer.text)
            raise SystemExit(1)
        device = answer.json()
        emit(
            event="device_authorization",
            user_code=device["user_code"],
            verification_uri=device["verification_uri"],
            verification_uri_complete=device.get("verification_uri_complete"),
        )
        interval = device.get("interval", 5)
        deadline = time.monotonic() + device.get("expires_in", 600)
        while time.monotonic() < deadline:
            await anyio.sleep(interval)
            polled = await client.post(
                server["token_endpoint"],
                data={
                    "grant_type": DEVICE_CODE,
                    "device_code": device["device_code"],
                    "client_id": options.client_id,
                    # RFC 8707: the token request names the tokens' audience
                    "resource": metadata["resource"],
                },
            )
            body = polled.json()
            if polled.status_code == 200:
                emit(event="device_token", scope=body.get("scope"))
                return OAuthToken.model_validate(body)
            if body.get("error") == "slow_down":
                interval += 5
            elif body.get("error") != "authorization_pending":
                emit(event="device_error", status=polled.status_code, body=body)
                raise SystemExit(1)
        raise TimeoutError("the device code expired")


def resource_metadata_url(mcp_url):
    parts = urlsplit(mcp_url)
    return (
        f"{parts.scheme}://{parts.netloc}"
        f"/.well-known/oauth-protected-resource{parts.path}"
    )


async def run(options):
    browser = Browser(
        options.odoo, options.login, options.password, options.consent_again
    )
    provider = None
    if options.mode == "device":
        auth = DeviceFlowAuth(await device_flow(options, options.mcp))
    else:
        receiver = LoopbackReceiver(options.callback_port)
        metadata = OAuthClientMetadata(
            client_name="MCP test agent",
            redirect_uris=[receiver.redirect_uri],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none",
        )
        stored = None
        if options.mode == "preregistered":
            stored = OAuthClientInformationFull(
                client_id=options.client_id,
                redirect_uris=[receiver.redirect_uri],
                token_endpoint_auth_method="none",
            )

        async def redirect_handler(url):
            emit(event="authorize", url=url.split("?")[0])
            await browser.visit(url)

        async def callback_handler():
            answer = await receiver.next_answer()
            if "code" not in answer:
                emit(event="authorization_error", **answer)
                raise PermissionError(f"authorization refused: {answer}")
            return AuthorizationCodeResult(
                code=answer["code"], state=answer.get("state"), iss=answer.get("iss")
            )

        provider = OAuthClientProvider(
            server_url=options.mcp,
            client_metadata=metadata,
            storage=MemoryStorage(stored),
            redirect_handler=redirect_handler,
            callback_handler=callback_handler,
            client_metadata_url=options.client_metadata_url,
        )
        auth = provider

    async with httpx2.AsyncClient(auth=auth, timeout=60) as http:
        async with Client(
            streamable_http_client(options.mcp, http_client=http)
        ) as client:
            emit(event="connected")
            while True:
                line = await anyio.to_thread.run_sync(sys.stdin.readline)
                command, *args = line.split() or ["quit"]
                if command == "quit":
                    return
                if command == "token":
                    token = provider.context.current_tokens if provider else auth.token
                    emit(
                        access_token=token.access_token,
                        refresh_token=token.refresh_token,
                    )
                elif command == "expire":
                    provider.context.token_expiry_time = time.time() - 1
                    emit(expired=True)
                elif command == "call":
                    limit = int(args[0]) if args else 5
                    try:
                        result = await client.call_tool(
                            "list_partners", {"limit": limit}
                        )
                    except Exception as error:  # noqa: BLE001 reported to the test
                        emit(error=f"{type(error).__name__}: {error}")
                        continue
                    if result.is_error:
                        emit(error=result.content[0].text)
                    else:
                        # a dict comes back as text content holding its JSON
                        emit(result=json.loads(result.content[0].text))
                else:
                    emit(error=f"unknown command {command}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mcp", required=True, help="the MCP server's URL")
    parser.add_argument("--odoo", required=True, help="Odoo's base URL (browser)")
    parser.add_argument("--login", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument(
        "--mode", choices=("cimd", "dcr", "preregistered", "device"), required=True
    )
    parser.add_argument("--client-id", help="preregistered and device modes")
    parser.add_argument("--client-metadata-url", help="cimd mode")
    parser.add_argument("--callback-port", type=int, default=0)
    parser.add_argument(
        "--consent-again",
        action="store_true",
        help="allow on a second consent page too (default: deny)",
    )
    options = parser.parse_args()
    # the test asks where the agent is stuck, if it ever is, with SIGUSR1
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    try:
        anyio.run(run, options)
    except Exception as error:  # noqa: BLE001 reported to the test
        # An authorization that fails while a request waits on it (the user
        # denied) ends the SDK's session with the request: the agent says
        # why and stops.
        emit(error=" / ".join(leaf_messages(error)), fatal=True)
        sys.exit(1)


def leaf_messages(error):
    """The messages of the exceptions an exception group ends with."""
    if hasattr(error, "exceptions"):  # an exception group
        return [m for inner in error.exceptions for m in leaf_messages(inner)]
    return [f"{type(error).__name__}: {error}"]


if __name__ == "__main__":
    main()
