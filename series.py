# Copyright 2026 Orest
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What differs between the Odoo series this module runs on, in one place.

One main serves Odoo 18.0 and 19.0. Each difference below names the series
and the Odoo change; the rest of the module calls these names and never asks
which series it runs on. A new series is one more branch in each entry, and
dropping a series is deleting its lines. The tests' own differences are in
``tests/common.py`` under the same heading.
"""

import contextlib

from odoo import api, models, release

SERIES = release.version_info[:2]

if SERIES >= (19, 0):
    # 19.0: odoo.osv.expression is deprecated for odoo.fields.Domain.
    from odoo.fields import Domain

    def domain_or(domains):
        return list(Domain.OR(domains))

else:
    from odoo.osv import expression

    domain_or = expression.OR


if SERIES >= (19, 0):
    # 19.0: models declare their SQL constraints as models.Constraint
    # attributes; _sql_constraints is ignored, with a warning only.
    Constraint = models.Constraint

else:

    class Constraint:
        """A table constraint written as 19.0 writes it (``_name =
        Constraint(definition, message)``), declared in 18.0's
        ``_sql_constraints``."""

        def __init__(self, definition, message=""):
            self.definition = definition
            self.message = message

        def __set_name__(self, owner, name):
            if "_sql_constraints" not in owner.__dict__:
                owner._sql_constraints = []
            owner._sql_constraints.append((name[1:], self.definition, self.message))


if SERIES >= (19, 0):
    # 19.0: api.returns is gone; the external API answers records as ids.
    def returns(model, downgrade):
        return lambda method: method

else:
    returns = api.returns


def group_members(group):
    """Every user of ``group``, those of the groups that imply it included."""
    if SERIES >= (19, 0):
        # 19.0: res.groups.users is user_ids, the group's own members only.
        return group.all_user_ids
    return group.users


# 19.0: res.users.groups_id is group_ids (the tests and scripts set groups).
USER_GROUPS_FIELD = "group_ids" if SERIES >= (19, 0) else "groups_id"


def authenticate(users, credential, user_agent_env):
    """Odoo's own login with ``credential``: its auth_info, or AccessDenied."""
    if SERIES >= (19, 0):
        # 19.0: res.users.authenticate lost its database argument.
        return users.authenticate(credential, user_agent_env)
    return users.authenticate(users.env.cr.dbname, credential, user_agent_env)


def check_totp_code(user, code):
    """auth_totp's check of ``user``'s authenticator code (an int), as its
    login step makes it: AccessDenied when wrong or rate-limited."""
    if SERIES >= (19, 0):
        # 19.0: the code is a credential of _check_credentials, which also
        # refuses a code used before and counts the checks per user.
        credential = {"type": user._mfa_type(), "token": code}
        user._check_credentials(credential, {"interactive": True})
    else:
        user._totp_check(code)


def report_cron_progress(env, done, remaining):
    """Tell the scheduler how much of a batched job is done and left, so that
    it runs the job again while some remains."""
    if SERIES >= (19, 0):
        # 19.0: _commit_progress replaces _notify_progress, and commits;
        # outside a scheduled run, the transaction is the caller's to end.
        if env.context.get("ir_cron_progress_id"):
            env["ir.cron"]._commit_progress(done, remaining=remaining)
    else:
        env["ir.cron"]._notify_progress(done=done, remaining=remaining)


class ResUsers(models.Model):
    _inherit = "res.users"

    # Each worker caches every (uid, password) that the external API's
    # credentials check accepted, for good: an access token must stop working
    # on its next use once revoked, expired or deleted, so a token never
    # reaches that cache (res.users._check_oauth2_token).
    if SERIES >= (19, 0):
        # 19.0: the external API checks credentials with the ormcached
        # _check_uid_passwd; res.users.check is gone.
        @api.model
        def _check_uid_passwd(self, uid, passwd):
            if self.browse(uid)._check_oauth2_token(passwd):
                return None
            return super()._check_uid_passwd(uid, passwd)

    else:

        @classmethod
        def check(cls, db, uid, passwd):
            if not cls._could_be_oauth2_token(passwd):
                return super().check(db, uid, passwd)
            with contextlib.closing(cls.pool.cursor()) as cr:
                users = api.Environment(cr, uid, {})["res.users"]
                if users.browse(uid)._check_oauth2_token(passwd):
                    return
            return super().check(db, uid, passwd)


class ResGroups(models.Model):
    _inherit = "res.groups"

    @api.model
    def _orestapi_oauth2_series_data(self):
        """Values of the module's data records that differ between series,
        set after the data files that create the records (the <function> at
        the end of views/res_config_settings_views.xml)."""
        category = self.env.ref("orestapi_oauth2.module_category_oauth2")
        groups = self.env.ref("orestapi_oauth2.group_oauth2_user") | self.env.ref(
            "orestapi_oauth2.group_oauth2_manager"
        )
        settings = self.env.ref("orestapi_oauth2.res_config_settings_action")
        if SERIES >= (19, 0):
            # 19.0: a group belongs to a privilege of a category
            # (res.groups.privilege); res.groups.category_id is gone. The
            # act_window target "inline" is gone; settings open as "current".
            privilege = self.env["res.groups.privilege"]._load_records(
                [
                    {
                        "xml_id": "orestapi_oauth2.res_groups_privilege_oauth2",
                        "values": {
                            "name": category.name,
                            "category_id": category.id,
                            "sequence": category.sequence,
                        },
                        "noupdate": False,
                    }
                ],
                update=True,
            )
            groups.write({"privilege_id": privilege.id})
        else:
            groups.write({"category_id": category.id})
            settings.target = "inline"
