# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""An MCP server that reads Odoo's partners as the user who consented, the
way a third party would write one with the official MCP Python SDK: a
protected resource (RFC 9728 metadata naming Odoo as its authorization
server) that checks each agent's token at Odoo's introspection endpoint
(RFC 7662) and, for its tool, exchanges it (RFC 8693) for a token for Odoo's
own API, never passing the agent's token on.

Runs in the test-only virtual environment of requirements.lock, never in
Odoo's python3. Prints one JSON line, ``{"url": ...}`` (its MCP endpoint),
once it listens on an ephemeral port of 127.0.0.1; then logs to stderr, and
stops at a line on stdin.

    python odoo_mcp_server.py --odoo URL --db NAME --client-id ID \\
        --client-secret SECRET [--scope read] [--odoo-resource URI]
"""

import argparse
import contextlib
import faulthandler
import json
import signal
import socket
import sys
import xmlrpc.client

import anyio
import httpx2
import uvicorn
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

INTROSPECT = "/orestapi/oauth2/introspect"
TOKEN = "/orestapi/oauth2/access_token"
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token"


class IntrospectingVerifier:
    """The SDK's TokenVerifier: a token is good when Odoo's introspection
    says it is active and for this server (its aud names ``resource``)."""

    def __init__(self, options, resource):
        self.options = options
        self.resource = resource

    async def introspect(self, token):
        async with httpx2.AsyncClient(timeout=30) as client:
            response = await client.post(
                self.options.odoo + INTROSPECT,
                data={"token": token, "token_type_hint": "access_token"},
                auth=(self.options.client_id, self.options.client_secret),
            )
        if response.status_code != 200:
            raise RuntimeError(
                f"Odoo's introspection answered {response.status_code}: "
                f"{response.text}"
            )
        return response.json()

    async def verify_token(self, token):
        claims = await self.introspect(token)
        if not claims.get("active"):
            return None
        audience = claims.get("aud") or []
        if isinstance(audience, str):
            audience = [audience]
        if self.resource not in audience:
            # a token for another resource (such as Odoo's own API) is not
            # one an agent may present here
            return None
        return AccessToken(
            token=token,
            client_id=claims["client_id"],
            scopes=claims.get("scope", "").split(),
            expires_at=claims.get("exp"),
            resource=self.resource,
            subject=claims.get("sub"),
            claims=claims,
        )


def build_server(options, port):
    resource = f"http://127.0.0.1:{port}/mcp"
    verifier = IntrospectingVerifier(options, resource)
    server = MCPServer(
        name="Odoo partners",
        token_verifier=verifier,
        auth=AuthSettings(
            issuer_url=options.odoo,
            resource_server_url=resource,
            required_scopes=options.scope.split(),
            # the verifier checks the audience itself
            validate_token_resource=False,
        ),
    )

    async def exchange(agent_token):
        """RFC 8693: the agent's token for one for Odoo's API, of the same
        user, with the rpc scope that Odoo's external API asks for."""
        data = {
            "grant_type": TOKEN_EXCHANGE,
            "subject_token": agent_token,
            "subject_token_type": ACCESS_TOKEN_TYPE,
            "requested_token_type": ACCESS_TOKEN_TYPE,
            "scope": options.odoo_scope,
        }
        if options.odoo_resource:
            data["resource"] = options.odoo_resource
        async with httpx2.AsyncClient(timeout=30) as client:
            response = await client.post(
                options.odoo + TOKEN,
                data=data,
                auth=(options.client_id, options.client_secret),
            )
        if response.status_code != 200:
            raise ToolError(
                f"Odoo refused the token exchange ({response.status_code}): "
                f"{response.text}"
            )
        return response.json()["access_token"]

    def read_partners(odoo_token, login, limit):
        """res.partner through Odoo's XML-RPC, the exchanged token in place
        of the password (the rpc scope)."""
        common = xmlrpc.client.ServerProxy(f"{options.odoo}/xmlrpc/2/common")
        uid = common.authenticate(options.db, login, odoo_token, {})
        if not uid:
            raise ToolError("Odoo's API refused the exchanged token")
        models = xmlrpc.client.ServerProxy(f"{options.odoo}/xmlrpc/2/object")
        partners = models.execute_kw(
            options.db,
            uid,
            odoo_token,
            "res.partner",
            "search_read",
            [[]],
            {"fields": ["name"], "limit": limit, "order": "id"},
        )
        return {"uid": uid, "partners": partners}

    @server.tool()
    async def list_partners(limit: int = 5) -> dict:
        """The first partners that the signed-in Odoo user may read."""
        access = get_access_token()
        odoo_token = await exchange(access.token)
        result = await anyio.to_thread.run_sync(
            read_partners, odoo_token, access.claims["username"], limit
        )
        result["agent_client_id"] = access.client_id
        return result

    return server


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--odoo", required=True, help="Odoo's base URL")
    parser.add_argument("--db", required=True, help="Odoo's database")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--scope", default="read", help="what agents need")
    parser.add_argument("--odoo-scope", default="rpc", help="what it asks of Odoo")
    parser.add_argument("--odoo-resource", help="Odoo API's resource identifier")
    options = parser.parse_args()
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    options.odoo = options.odoo.rstrip("/")

    # an ephemeral port, known before the app is built: the resource URL
    # (its RFC 9728 metadata and audience) carries it
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    app = build_server(options, port).streamable_http_app(host="127.0.0.1")
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    http = uvicorn.Server(config)

    async def serve():
        async with anyio.create_task_group() as group:
            group.start_soon(http.serve, [sock])
            while not http.started:
                await anyio.sleep(0.05)
            # the test reads the endpoint from the first line of stdout
            sys.stdout.write(json.dumps({"url": f"http://127.0.0.1:{port}/mcp"}) + "\n")
            sys.stdout.flush()
            # a line on stdin ("quit"), or its end, stops the server
            await anyio.to_thread.run_sync(sys.stdin.readline)
            http.should_exit = True

    with contextlib.suppress(KeyboardInterrupt):
        anyio.run(serve)


if __name__ == "__main__":
    main()
