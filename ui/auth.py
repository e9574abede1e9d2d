"""Who may sign in to the chat window, and who may change the archive.

Readers ask questions and read the documents; editors also upload, replace and remove documents. Users
live in a TOML file (``RAGCHAT_USERS``, default ``<data dir>/users.toml``) with bcrypt password hashes,
written only by ``ragchat users add|remove`` (atomically, mode 0600)::

    [users."ana"]
    role = "editor"
    password = "$2b$12$…"

Without a users file, ``RAGCHAT_AUTH=user:password`` (deprecated) is one shared editor; without either
there is no login and everyone is an editor, as on a personal machine's loopback.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import tempfile
import threading
import tomllib
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ConfigError, RagchatError
from rag.settings import Settings

log = logging.getLogger("ragchat.auth")

ROLES = ("reader", "editor")
ANONYMOUS = "anonymous"  # who changes the archive when there is no login
BCRYPT_ROUNDS = 12  # about 0.3-0.5 s a check on one core here: slow for guessing, fine for a login
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_BYTES = 72  # bcrypt reads no further; a longer password is refused, never silently cut
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}")
_BCRYPT_HASH = re.compile(r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}")
_HEADER = """\
# ragchat users: who may sign in to the chat window and what they may do there.
# Readers ask questions; editors also upload, replace and remove documents.
# Passwords are bcrypt hashes. Change this file with `ragchat users add NAME --role reader|editor`,
# `ragchat users remove NAME` and `ragchat users list`, not by hand.
"""


class AccessDenied(RagchatError):
    """The signed-in user may not do this (a reader changing the archive, an unknown user)."""


@dataclass(frozen=True)
class User:
    name: str
    role: str

    @property
    def is_editor(self) -> bool:
        return self.role == "editor"


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    password_hash: str


def users_path(settings: Settings) -> Path:
    """The users file: ``RAGCHAT_USERS``, else ``users.toml`` in the data directory."""
    return Path(settings.users) if settings.users else Path(settings.data_dir) / "users.toml"


# --- passwords ----------------------------------------------------------------------------------------


def check_new_password(password: str) -> bytes:
    """The password as bcrypt takes it, or a :class:`ConfigError` saying what is wrong with it."""
    data = password.encode("utf-8")
    if len(password) < MIN_PASSWORD_CHARS:
        raise ConfigError(f"the password is too short ({len(password)} characters); use at least "
                          f"{MIN_PASSWORD_CHARS}.")
    if len(data) > MAX_PASSWORD_BYTES:
        raise ConfigError(f"the password is {len(data)} bytes long in UTF-8; bcrypt uses at most "
                          f"{MAX_PASSWORD_BYTES}, so choose a shorter one.")
    return data


def hash_password(password: str, rounds: int | None = None) -> str:
    """A bcrypt hash (salt and cost inside it) of a password that passes :func:`check_new_password`."""
    import bcrypt

    return bcrypt.hashpw(check_new_password(password), bcrypt.gensalt(rounds or BCRYPT_ROUNDS)).decode("ascii")


def password_matches(password: str, password_hash: str) -> bool:
    import bcrypt

    data = password.encode("utf-8")
    if len(data) > MAX_PASSWORD_BYTES:
        return False  # could never have been set
    try:
        return bcrypt.checkpw(data, password_hash.encode("ascii"))
    except ValueError:
        return False


# A hash of a random string nobody knows: checking an unknown name against it takes as long as a wrong password.
_DUMMY_HASH = "$2b$12$VHbIPdJTHxQXYve/T3M/ReeK4hm/JzHaUwcE8gcbafpnSGDfVghS6"


# --- the users file -----------------------------------------------------------------------------------


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name or ""):
        raise ConfigError(f"{name!r} is not a usable user name: 1-64 letters, digits and . _ @ -, "
                          "starting with a letter or digit.")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ConfigError(f"unknown role {role!r}; a user is a reader (asks questions) or an editor "
                          "(also uploads, replaces and removes documents).")
    return role


def _line_of(text: str, name: str) -> int | None:
    pattern = re.compile(r'^\s*\[\s*users\s*\.\s*(?:"{0}"|\'{0}\'|{0})\s*\]'.format(re.escape(name)))
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def read_users(path: Path) -> dict[str, Account]:
    """The accounts in a users file (``{}`` when it does not exist). A bad file is a :class:`ConfigError`
    naming the file, the line or user, and the fix."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the users file {path} ({exc}); check its permissions.") from None
    fix = "fix it, or move the file away and add the users again with `ragchat users add NAME --role ROLE`"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"users file {path} is not valid TOML ({exc}); {fix}.") from None
    unknown = sorted(set(data) - {"users"})
    if unknown:
        raise ConfigError(f"users file {path}: unknown key(s) {', '.join(unknown)}; only [users.NAME] tables "
                          f"belong there; {fix}.")
    users = data.get("users", {})
    if not isinstance(users, dict):
        raise ConfigError(f"users file {path}: `users` must be tables like [users.\"ana\"]; {fix}.")
    accounts: dict[str, Account] = {}
    folded: dict[str, str] = {}
    for name, entry in users.items():
        line = _line_of(text, name)
        where = f"users file {path}, {f'line {line}, ' if line else ''}user {name!r}"
        try:
            check_name(name)
            if not isinstance(entry, dict):
                raise ConfigError('expected a table with role = "reader" or "editor" and password = a bcrypt hash')
            extra = sorted(set(entry) - {"role", "password"})
            if extra:
                raise ConfigError(f"unknown key(s) {', '.join(extra)}; only role and password belong there")
            check_role(entry.get("role", ""))
            if not _BCRYPT_HASH.fullmatch(str(entry.get("password", ""))):
                raise ConfigError("password is not a bcrypt hash; set it with "
                                  f"`ragchat users add {name} --replace`")
            if name.lower() in folded:
                raise ConfigError(f"the same user as {folded[name.lower()]!r} (names ignore case); remove one")
        except ConfigError as exc:
            raise ConfigError(f"{where}: {str(exc).rstrip('.')}; {fix}.") from None
        folded[name.lower()] = name
        accounts[name] = Account(name, entry["role"], entry["password"])
    return accounts


def write_users(path: Path, accounts: dict[str, Account]) -> None:
    """Write the users file atomically (a temporary file renamed over it), readable by its owner only."""
    lines = [_HEADER]
    for account in sorted(accounts.values(), key=lambda a: a.name.lower()):
        lines.append(f'\n[users."{check_name(account.name)}"]\nrole = "{check_role(account.role)}"\n'
                     f'password = "{account.password_hash}"\n')
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("".join(lines))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:  # the rename itself survives a power cut only once the folder is synced
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def add_user(path: Path, name: str, role: str | None, password: str, *, replace: bool = False,
             rounds: int | None = None) -> Account:
    """Add a user (a reader unless ``role`` says otherwise), or with ``replace`` change one's password
    and, if given, role."""
    check_name(name)
    if role is not None:
        check_role(role)
    accounts = read_users(path)
    same = next((a for a in accounts.values() if a.name.lower() == name.lower()), None)
    if same and not replace:
        raise ConfigError(f"user {same.name!r} already exists in {path} ({same.role}); to change the password "
                          f"or role, run `ragchat users add {same.name} --replace [--role ROLE]`.")
    if same:
        del accounts[same.name]
    account = Account(name, role or (same.role if same else "reader"), hash_password(password, rounds))
    accounts[name] = account
    write_users(path, accounts)
    return account


def remove_user(path: Path, name: str) -> dict[str, Account]:
    """Remove a user; returns who is left."""
    accounts = read_users(path)
    if name not in accounts:
        raise ConfigError(f"no user {name!r} in {path}; `ragchat users list` shows who is there.")
    del accounts[name]
    write_users(path, accounts)
    return accounts


def loose_permissions(path: Path) -> bool:
    """Whether others than the owner may read or write the users file."""
    try:
        return bool(stat.S_IMODE(path.stat().st_mode) & 0o077)
    except OSError:
        return False


# --- access in the chat window ------------------------------------------------------------------------


def auth_from_env(value: str | None = None) -> tuple[str, str] | None:
    """``RAGCHAT_AUTH=user:password`` -> ``("user", "password")``; unset -> ``None``.

    >>> auth_from_env("ana:s3cret:x")
    ('ana', 's3cret:x')
    """
    value = os.environ.get("RAGCHAT_AUTH", "") if value is None else value
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ConfigError(
            "RAGCHAT_AUTH must look like user:password (both non-empty); unset it for no login.")
    return user, password


class Access:
    """Who may sign in and what each user may do. ``mode`` is ``"users"`` (a users file), ``"shared"``
    (the deprecated ``RAGCHAT_AUTH``: one editor) or ``"open"`` (no login: everyone is an editor).

    In ``"users"`` mode the file is read again when it changes, so ``ragchat users add|remove`` takes
    effect without a restart (a removed user's next change is refused); a file made bad meanwhile keeps
    the last good one in force.
    """

    def __init__(self, mode: str, *, path: Path | None = None, shared: tuple[str, str] | None = None):
        self.mode, self.path, self._shared = mode, path, shared
        self._accounts: dict[str, Account] = {}
        self._signature: tuple[int, int, int] | None = None
        self._lock = threading.Lock()
        if mode == "users":
            self._reload(first=True)

    @classmethod
    def from_settings(cls, settings: Settings, auth: str | None = None) -> Access:
        """From the users file if it exists, else ``RAGCHAT_AUTH`` (or ``auth``), else open."""
        path = users_path(settings)
        shared = auth_from_env(auth)
        if path.exists():
            if shared:
                log.warning("RAGCHAT_AUTH is ignored: the users file %s decides who may sign in.", path)
            return cls("users", path=path)
        if shared:
            log.warning("RAGCHAT_AUTH is deprecated: it is one shared editor with its password in the "
                        "environment. Create users instead: `ragchat users add NAME --role reader|editor`.")
            return cls("shared", shared=shared)
        return cls("open")

    @property
    def login_required(self) -> bool:
        return self.mode != "open"

    def _reload(self, first: bool = False) -> None:
        assert self.path is not None
        try:
            st = self.path.stat()
            signature = (st.st_mtime_ns, st.st_size, st.st_ino)
        except OSError:
            if first:
                raise ConfigError(f"the users file {self.path} is gone.") from None
            log.warning("the users file %s is gone; the users read before stay in force.", self.path)
            return
        if signature == self._signature:
            return
        try:
            accounts = read_users(self.path)
        except ConfigError as exc:
            if first:
                raise
            log.error("%s The users read before stay in force.", exc)
            return
        if loose_permissions(self.path):
            log.warning("the users file %s can be read by others than its owner; `chmod 600 %s`.",
                        self.path, self.path)
        if not accounts:
            log.warning("the users file %s has no users: nobody can sign in. Add one with "
                        "`ragchat users add NAME --role editor`.", self.path)
        self._accounts, self._signature = accounts, signature

    def accounts(self) -> dict[str, Account]:
        with self._lock:
            if self.mode == "users":
                self._reload()
            return dict(self._accounts)

    def login(self, name: str, password: str) -> bool:
        """Gradio's ``auth=`` check: the name and password of a user of the file (or the shared one)."""
        if self.mode == "shared":
            import hmac

            user, secret = self._shared  # type: ignore[misc]
            return hmac.compare_digest(name.encode(), user.encode()) & hmac.compare_digest(
                password.encode(), secret.encode())
        if self.mode != "users":
            return True
        account = self.accounts().get(name)
        if account is None:
            password_matches(password, _DUMMY_HASH)  # an unknown name takes as long as a wrong password
            return False
        return password_matches(password, account.password_hash)

    def user(self, name: str | None) -> User:
        """The user behind a request's ``username``; :class:`AccessDenied` for one who is not (any more)."""
        if self.mode == "open":
            return User(name or ANONYMOUS, "editor")
        if self.mode == "shared":
            if name and self._shared and name == self._shared[0]:
                return User(name, "editor")
        else:
            account = self.accounts().get(name or "")
            if account is not None:
                return User(account.name, account.role)
        raise AccessDenied(f"{name or 'this session'} is not signed in as a user of ragchat; sign in again.")

    def require_editor(self, name: str | None) -> User:
        user = self.user(name)
        if not user.is_editor:
            raise AccessDenied(f"Only editors can change the archive; you are signed in as {user.name} "
                               f"({user.role}).")
        return user

    def role_of(self, name: str | None) -> str:
        try:
            return self.user(name).role
        except AccessDenied:
            return "unknown"
