"""Accounts made straight in a server's database, as the CLI makes them."""

from __future__ import annotations

import uuid

from chatroutes.server.auth.secret import load_or_create_secret
from chatroutes.server.services.accounts import PLANS, AccountService
from chatroutes.server.services.billing import set_plan
from chatroutes.server.services.limits import plan_table
from chatroutes.server.settings import Settings
from chatroutes.server.store.database import Database


async def new_keys(settings: Settings, plans: tuple[str, ...]) -> list[str]:
    """An API key of a new account on each of ``plans`` (the built-in ones or those of
    ``settings.plans_file``), as ``chatroutes users create``, ``users set-plan`` and
    ``keys create`` make them, through a connection of its own."""
    db = Database(settings.resolved_database_url())
    accounts = AccountService(db, load_or_create_secret(settings.secret_key, settings.data_dir))
    try:
        keys = []
        for plan in plans:
            email = f"acct-{uuid.uuid4().hex[:10]}@example.com"
            if plan in PLANS:  # `users create --plan`
                await accounts.create_user(email, plan=plan)
            else:  # `users create`, then `users set-plan` to one of the plans file
                await accounts.create_user(email)
                await set_plan(db, plan_table(settings), email, plan)
            keys.append((await accounts.create_key(email)).secret)
        return keys
    finally:
        await db.dispose()
