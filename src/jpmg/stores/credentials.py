"""Who the loader is at the store: a user name and a password that never appears anywhere.

The user comes from ``--user`` or the environment variable ``JPMG_STORE_USER``; the password from the
environment variable ``JPMG_STORE_PASSWORD`` or a netrc file (``$NETRC``, else ``~/.netrc``), looked up by the
store's host name. The password is never taken from the command line (where ``ps`` and shell histories show it),
never printed and never logged: :class:`Credentials` masks it in its ``repr``, and error messages name only the
user and where the password came from.
"""

from __future__ import annotations

import netrc
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from jpmg.stores.errors import StoreError

USER_VARIABLE = "JPMG_STORE_USER"
PASSWORD_VARIABLE = "JPMG_STORE_PASSWORD"
_MASK = "********"


@dataclass(frozen=True)
class Credentials:
    """A user and a password, with where the password came from (for messages)."""

    user: str
    password: str = field(repr=False)
    source: str = "environment"

    def __repr__(self) -> str:
        return f"Credentials(user={self.user!r}, password={_MASK!r}, source={self.source!r})"

    __str__ = __repr__


def netrc_path(environ: Mapping[str, str] | None = None) -> Path:
    """The netrc file to read: ``$NETRC`` if set, else ``~/.netrc``."""
    environ = os.environ if environ is None else environ
    if environ.get("NETRC"):
        return Path(environ["NETRC"]).expanduser()
    return Path("~/.netrc").expanduser()


def _from_netrc(host: str, path: Path) -> tuple[str, str] | None:
    """(login, password) of the netrc entry for ``host`` (or its ``default`` entry), or None."""
    if not path.is_file():
        return None
    try:
        entries = netrc.netrc(str(path))
    except netrc.NetrcParseError as error:
        # The parser's own message can quote a token of the file, which may be a password: give the line only.
        raise StoreError(
            f"cannot read the netrc file {path} (line {error.lineno})",
            "fix its syntax: 'machine HOST login USER password PASSWORD'",
        ) from None
    except OSError as error:
        raise StoreError(
            f"cannot read the netrc file {path}: {error.strerror}",
            "check its permissions, or set NETRC to another file",
        ) from None
    entry = entries.authenticators(host)
    if entry is None:
        return None
    login, _account, password = entry
    if not password:
        return None
    return login or "", password


def resolve_credentials(
    url: str, user: str | None = None, environ: Mapping[str, str] | None = None
) -> Credentials | None:
    """The credentials for the store at ``url``, or None to go anonymous.

    The password comes from ``JPMG_STORE_PASSWORD``, else from the netrc entry of the URL's host (whose login
    is the user when none is given, and must match the user when one is). A user without a password, or a
    password without a user, is an error rather than a silent anonymous request.
    """
    environ = os.environ if environ is None else environ
    user = user or environ.get(USER_VARIABLE) or None
    password = environ.get(PASSWORD_VARIABLE) or None
    if password is not None:
        if not user:
            raise StoreError(f"{PASSWORD_VARIABLE} is set but no user is given", f"give --user or set {USER_VARIABLE}")
        return Credentials(user, password, f"the environment variable {PASSWORD_VARIABLE}")
    host = urlsplit(url).hostname or ""
    path = netrc_path(environ)
    found = _from_netrc(host, path)
    if found is not None:
        login, netrc_password = found
        if not user:
            if not login:
                raise StoreError(
                    f"the netrc entry for {host} in {path} has no login",
                    "add 'login USER' to it, or give --user",
                )
            return Credentials(login, netrc_password, f"the netrc file {path}")
        if not login or login == user:
            return Credentials(user, netrc_password, f"the netrc file {path}")
    if user:
        raise StoreError(
            f"no password for user {user!r} at {host}",
            f"set {PASSWORD_VARIABLE}, or add 'machine {host} login {user} password ...' "
            f"to {path} (never put the password on the command line)",
        )
    return None
