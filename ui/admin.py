"""``ragchat users`` and ``ragchat audit``: manage who may sign in to the chat window, and read what
they changed. A password is read from a prompt or from standard input, never from the command line
or the environment (where ``ps`` and shell history would show it)."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from rag.errors import ConfigError
from rag.settings import Settings
from ui.audit import AuditLog, audit_path
from ui.auth import add_user, check_new_password, read_users, remove_user, users_path


def read_password(name: str, from_stdin: bool) -> str:
    """The new password: the first line of standard input with ``--password-stdin``, else asked twice
    at the terminal without echo."""
    if from_stdin:
        line = sys.stdin.readline()
        password = line.removesuffix("\n").removesuffix("\r")
        if not password:
            raise ConfigError("--password-stdin read no password; pipe it in, e.g. "
                              "`printf '%s\\n' \"$PASSWORD\" | ragchat users add NAME --password-stdin`.")
        check_new_password(password)
        return password
    if not sys.stdin.isatty():
        raise ConfigError("there is no terminal to ask for the password; pass it on standard input with "
                          "--password-stdin (never as an argument).")
    password = getpass.getpass(f"Password for {name}: ")
    check_new_password(password)
    if getpass.getpass("Repeat it: ") != password:
        raise ConfigError("the two passwords differ; nothing was changed.")
    return password


def users_command(args: argparse.Namespace, settings: Settings) -> int:
    path = users_path(settings)
    if args.users_command == "add":
        password = read_password(args.name, args.password_stdin)
        account = add_user(path, args.name, args.role, password, replace=args.replace)
        print(f"{'Changed' if args.replace else 'Added'} {account.name} ({account.role}) in {path}. "
              "The chat window asks for a login whenever this file exists.")
        return 0
    if args.users_command == "remove":
        left = remove_user(path, args.name)
        print(f"Removed {args.name} from {path}.")
        if not left:
            print(f"ragchat: warning: {path} has no users left, so nobody can sign in to the chat window; "
                  "add one, or delete the file for a window without login (loopback only).", file=sys.stderr)
        return 0
    accounts = read_users(path)
    rows = [{"name": a.name, "role": a.role} for a in sorted(accounts.values(), key=lambda a: a.name.lower())]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
    elif not path.exists():
        print(f"No users file ({path}): the chat window has no login and everyone may change the archive. "
              "Add users with `ragchat users add NAME --role reader|editor`.")
    else:
        print(f"Users in {path}:")
        for r in rows:
            print(f"  {r['name']:<24} {r['role']}")
        if not rows:
            print("  (none: nobody can sign in)")
    return 0


def audit_command(args: argparse.Namespace, settings: Settings) -> int:
    """Print the audit log: oldest first, or the last ``--limit`` lines."""
    log = AuditLog(audit_path(settings))
    entries = log.entries()
    if args.limit:
        entries = entries[-args.limit:]
    if args.json:
        print(json.dumps(entries, ensure_ascii=False))
        return 0
    if not entries:
        print(f"No changes logged yet ({log.path}).")
    for e in entries:
        what = e.get("file") or e.get("doc_id") or "-"
        detail = f"  {e['detail']}" if e.get("detail") and e.get("result") in ("failed", "refused") else ""
        print(f"{e.get('time', '')}  {e.get('user') or '-'} ({e.get('role', '?')})  {e.get('action', '')} "
              f"{what}: {e.get('result', '')}{detail}")
    return 0
