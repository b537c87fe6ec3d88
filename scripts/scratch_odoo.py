"""A throw-away Odoo with the module, for scripts/race and scripts/benchmark.

It installs the module on a scratch database, creates a user and a confidential
application with known credentials, and serves the database with several
workers, as production does.
"""

import base64
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

MODULE_ROOT = Path(__file__).resolve().parent.parent
CLIENT_ID = "scratch-client"
CLIENT_SECRET = "scratch-secret-" + base64.urlsafe_b64encode(os.urandom(24)).decode()
REDIRECT_URI = "https://client.example.com/cb"
LOGIN = "scratch-user"
MANAGER_LOGIN = "scratch-manager"
PASSWORD = "scratch-password-" + base64.urlsafe_b64encode(os.urandom(12)).decode()

SETUP = """
import json
from odoo.addons.orestapi_oauth2.series import USER_GROUPS_FIELD
user = env["res.users"].create({
    "name": "Scratch User", "login": %(login)r, "password": %(password)r,
    USER_GROUPS_FIELD: [(6, 0, [env.ref("base.group_user").id])],
})
env["oauth2.application"].create({
    "name": "Scratch", "client_id": %(client_id)r, "client_secret": %(secret)r,
    "redirect_uris": %(redirect_uri)r, "grant_password": True,
    "grant_client_credentials": True, "skip_consent": True, "user_id": user.id,
    "access_token_lifetime": 3600,
})
manager = env["res.users"].create({
    "name": "Scratch OAuth2 Manager", "login": %(manager_login)r,
    "password": %(password)r,
    USER_GROUPS_FIELD: [(6, 0, [env.ref("orestapi_oauth2.group_oauth2_manager").id])],
})
env["ir.config_parameter"].set_param("orestapi_oauth2.client_auth_max_failures", 50)
print("SETUP " + json.dumps({"uid": user.id, "manager_uid": manager.id}))
"""


def basic_auth(client_id=CLIENT_ID, client_secret=CLIENT_SECRET):
    raw = f"{client_id}:{client_secret}".encode()
    return "Basic " + base64.b64encode(raw).decode()


class ScratchOdoo:
    def __init__(self, db, port, workers, log_path, extra_addons=None):
        """``extra_addons`` maps the name of an addon to install beside the
        module to its files (path: text), written into the scratch addons
        directory."""
        self.extra_addons = extra_addons or {}
        self.db = db
        self.port = port
        self.workers = workers
        self.log_path = log_path
        self.url = f"http://127.0.0.1:{port}"
        self.addons_path = None
        self.process = None
        self.uid = self.manager_uid = None

    def odoo(self, *args, subcommand=(), **kwargs):
        command = ["odoo", *subcommand, "-d", self.db]
        command += [f"--addons-path={self.addons_path}", *args]
        return subprocess.run(command, check=True, text=True, **kwargs)

    def __enter__(self):
        self.addons_path = tempfile.mkdtemp(prefix="orestapi_oauth2-addons.")
        os.symlink(MODULE_ROOT, os.path.join(self.addons_path, "orestapi_oauth2"))
        for name, files in self.extra_addons.items():
            for path, text in files.items():
                target = Path(self.addons_path, name, path)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text)
        subprocess.run(["dropdb", "--if-exists", self.db], check=True)
        self.odoo(
            "-i",
            ",".join(["orestapi_oauth2", *self.extra_addons]),
            "--without-demo=all",
            "--stop-after-init",
            "--log-level=warn",
            "--no-http",
        )
        setup = SETUP % {
            "login": LOGIN,
            "manager_login": MANAGER_LOGIN,
            "password": PASSWORD,
            "client_id": CLIENT_ID,
            "secret": CLIENT_SECRET,
            "redirect_uri": REDIRECT_URI,
        }
        output = self.shell(setup)
        [line] = [x for x in output.splitlines() if x.startswith("SETUP ")]
        created = json.loads(line[len("SETUP ") :])
        self.uid, self.manager_uid = created["uid"], created["manager_uid"]
        self.log = open(self.log_path, "w")  # closed in __exit__
        self.process = subprocess.Popen(
            [
                "odoo",
                "-d",
                self.db,
                f"--addons-path={self.addons_path}",
                f"--http-port={self.port}",
                f"--workers={self.workers}",
                "--max-cron-threads=0",
                f"--db-filter=^{self.db}$",
                "--log-level=info",
                "--limit-time-real=600",
                "--limit-time-cpu=600",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_until_up()
        except BaseException:
            # the with statement calls __exit__ only once __enter__ returned
            self.__exit__(*sys.exc_info())
            raise
        return self

    def _wait_until_up(self):
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"Odoo stopped at start; see {self.log_path}")
            # a worker still loading the registry may take over 2 s to answer
            with contextlib.suppress(requests.ConnectionError, requests.Timeout):
                if requests.get(self.url + "/web/health", timeout=2).ok:
                    return
            time.sleep(0.5)
        sys.exit(f"Odoo did not answer within 120 s; see {self.log_path}")

    def __exit__(self, *exc_info):
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()
        subprocess.run(["dropdb", "--if-exists", "--force", self.db], check=False)
        shutil.rmtree(self.addons_path, ignore_errors=True)

    def shell(self, code):
        """The output of ``code`` run in ``odoo shell`` on the scratch
        database, committed, as a cron job or an administrator would. Odoo's
        shell does not tell the workers which caches the code invalidated, as
        a request or a cron job does: it is told here."""
        return self.odoo(
            "--log-level=warn",
            "--no-http",
            subcommand=["shell"],
            input=code + "\nenv.cr.commit()\nenv.registry.signal_changes()\n",
            capture_output=True,
        ).stdout

    def psql(self, sql):
        """The output of ``sql``, one row per line, columns separated by |."""
        result = subprocess.run(
            ["psql", "-d", self.db, "-At", "-c", sql],
            check=True,
            text=True,
            capture_output=True,
        )
        return result.stdout.strip()

    def token_request(self, session=None, headers=None, **data):
        return (session or requests).post(
            self.url + "/orestapi/oauth2/access_token",
            data=data,
            headers=headers or {"Authorization": basic_auth()},
            timeout=120,
        )

    def password_grant(self):
        response = self.token_request(
            grant_type="password", username=LOGIN, password=PASSWORD
        )
        response.raise_for_status()
        return response.json()

    def authorization_code(self):
        """A code for the scratch user, through Odoo's login and the authorize
        endpoint (the application skips consent)."""
        session = requests.Session()
        login = session.post(
            self.url + "/web/session/authenticate",
            json={
                "jsonrpc": "2.0",
                "params": {"db": self.db, "login": LOGIN, "password": PASSWORD},
            },
            timeout=60,
        )
        login.raise_for_status()
        response = session.get(
            self.url + "/orestapi/oauth2/authorize",
            params={"response_type": "code", "client_id": CLIENT_ID, "scope": "read"},
            allow_redirects=False,
            timeout=60,
        )
        location = response.headers["Location"]
        return location.split("code=", 1)[1].split("&", 1)[0]
