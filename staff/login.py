"""Logging in and out of the staff app.

The login form has no session yet, so its CSRF token is a random value in a cookie of its own
that the form must echo. Failed logins are throttled (store/accounts.py).
"""

from __future__ import annotations

import secrets

from sanic.request import Request

from staff.web import (
    CSRF_MESSAGE,
    HOME,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Route,
    blueprint,
    client,
    error,
    redirect,
    render,
    same_token,
    set_cookie,
)
from store.schema import ROLES


async def login_form(request: Request):
    token = secrets.token_urlsafe(32)
    resp = render("login.html", csrf=token, error=None)
    set_cookie(request, resp, LOGIN_CSRF_COOKIE, token)
    return resp


async def login(request: Request):
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not same_token(request.form.get("csrf"), expected):
        return error(403, CSRF_MESSAGE)
    accounts = request.app.ctx.accounts
    username = request.form.get("username", "")[:80]
    # One step: the limits are checked and the attempt counted before the password is checked.
    result = accounts.try_login(username, request.form.get("password", ""), client(request))
    if result.wait:
        return render(
            "login.html",
            429,
            csrf=expected,
            error=f"Te veel mislukte pogingen. Probeer het over {result.wait} seconden opnieuw.",
        )
    token = result.token
    if token is None:
        return render("login.html", 401, csrf=expected, error="Gebruikersnaam of wachtwoord klopt niet.")
    session = accounts.session(token)
    resp = redirect(HOME.get(session.role, "/") if session else "/")
    set_cookie(request, resp, SESSION_COOKIE, token)
    return resp


async def logout(request: Request, session):
    request.app.ctx.accounts.logout(request.cookies.get(SESSION_COOKIE))
    resp = redirect("/login")
    del resp.cookies[SESSION_COOKIE]
    return resp


ROUTES = (
    Route("GET", "/login", login_form),
    Route("POST", "/login", login),
    Route("POST", "/logout", logout, ROLES),
)
bp = blueprint("login", ROUTES)
