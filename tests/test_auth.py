"""Readers and editors: the users file, sign-in, who may change the archive, and the audit log.

The service runs over a real temporary Chroma store with the hash embedder; bcrypt runs at its lowest
cost (4) so hashing is fast, except where the command line's default is the point.
"""

from __future__ import annotations

import io
import json
import re
import stat
import sys
import tomllib

import pytest

from conftest import SEED, free_port
from rag.errors import ConfigError
from rag.settings import load_settings
from ui import auth
from ui.auth import Access, AccessDenied, add_user, read_users, remove_user, users_path

READER_REFUSED = "Only editors can change the archive; you are signed in as bob (reader)."


@pytest.fixture(autouse=True)
def fast_bcrypt(monkeypatch):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def users(tmp_path):
    """A users file in the data directory: ana an editor, bob a reader."""
    path = users_path(load_settings())
    add_user(path, "ana", "editor", "ana-pa55word")
    add_user(path, "bob", "reader", "bob-pa55word")
    return path


def audit_entries():
    from ui.audit import AuditLog, audit_path

    return AuditLog(audit_path(load_settings())).entries()


# --- the users file -----------------------------------------------------------------------------------


def test_users_file_holds_bcrypt_hashes_only_and_is_private(users, tmp_path):
    text = users.read_text(encoding="utf-8")
    assert "pa55word" not in text and text.count("$2b$04$") == 2
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    assert sorted(p.name for p in users.parent.iterdir()) == ["users.toml"]  # no temporary file left behind
    assert tomllib.loads(text)["users"]["bob"]["role"] == "reader"
    accounts = read_users(users)
    assert {n: a.role for n, a in accounts.items()} == {"ana": "editor", "bob": "reader"}
    assert auth.password_matches("bob-pa55word", accounts["bob"].password_hash)
    assert not auth.password_matches("ana-pa55word", accounts["bob"].password_hash)
    assert not auth.password_matches("x" * 100, accounts["bob"].password_hash)  # past bcrypt's 72 bytes


def test_adding_refuses_duplicates_unknown_roles_bad_names_and_weak_passwords(users):
    with pytest.raises(ConfigError, match=r"user 'bob' already exists .* \(reader\); .*--replace"):
        add_user(users, "Bob", "editor", "other-pa55word")  # names ignore case
    with pytest.raises(ConfigError, match="unknown role 'admin'; a user is a reader .* or an editor"):
        add_user(users, "carl", "admin", "carl-pa55word")
    with pytest.raises(ConfigError, match="not a usable user name"):
        add_user(users, 'x"] evil', "reader", "carl-pa55word")
    with pytest.raises(ConfigError, match="too short"):
        add_user(users, "carl", "reader", "short")
    with pytest.raises(ConfigError, match="bcrypt uses at most 72"):
        add_user(users, "carl", "reader", "é" * 40)
    assert set(read_users(users)) == {"ana", "bob"}  # nothing changed


def test_replace_changes_the_password_and_keeps_the_role(users):
    add_user(users, "bob", None, "new-pa55word", replace=True)
    bob = read_users(users)["bob"]
    assert bob.role == "reader" and auth.password_matches("new-pa55word", bob.password_hash)
    add_user(users, "bob", "editor", "new-pa55word", replace=True)
    assert read_users(users)["bob"].role == "editor"
    assert set(remove_user(users, "bob")) == {"ana"}
    with pytest.raises(ConfigError, match="no user 'bob' in .*users list"):
        remove_user(users, "bob")


@pytest.mark.parametrize("text, expected", [
    ('[users."ana"\nrole = "editor"\n', r"is not valid TOML \(.*line 1"),
    ('# users\n\n[users."ana"]\nrole = "admin"\npassword = "{h}"\n',
     r"line 3, user 'ana': unknown role 'admin'"),
    ('[users.ana]\nrole = "reader"\npassword = "hunter2"\n', r"line 1, user 'ana': password is not a bcrypt hash"),
    ('[users.ana]\nrole = "reader"\npassword = "{h}"\nadmin = true\n', r"user 'ana': unknown key\(s\) admin"),
    ('[users.ana]\nrole = "reader"\npassword = "{h}"\n[users.ANA]\nrole = "reader"\npassword = "{h}"\n',
     r"line 4, user 'ANA': the same user as 'ana'"),
    ('users = 3\n', "must be tables"),
    ('[people.ana]\nrole = "reader"\n', r"unknown key\(s\) people"),
])
def test_a_bad_users_file_names_the_file_the_entry_and_the_fix(tmp_path, text, expected):
    path = tmp_path / "users.toml"
    path.write_text(text.replace("{h}", auth.hash_password("pa55word!")), encoding="utf-8")
    with pytest.raises(ConfigError, match=expected) as err:
        read_users(path)
    assert str(path) in str(err.value) and "ragchat users add" in str(err.value)


def test_the_users_file_setting(monkeypatch, tmp_path):
    assert users_path(load_settings()) == tmp_path / "data" / "users.toml"
    monkeypatch.setenv("RAGCHAT_USERS", str(tmp_path / "etc" / "ragchat-users.toml"))
    assert users_path(load_settings()) == tmp_path / "etc" / "ragchat-users.toml"


def test_cli_adds_lists_and_removes_users_without_a_password_in_argv(monkeypatch, capsys, tmp_path):
    from rag.cli import main

    monkeypatch.setattr(sys, "stdin", io.StringIO("ana-pa55word\n"))
    assert main(["users", "add", "ana", "--role", "editor", "--password-stdin"]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("bob-pa55word\n"))
    assert main(["users", "add", "bob", "--password-stdin"]) == 0  # a reader unless told otherwise
    capsys.readouterr()
    assert main(["users", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"name": "ana", "role": "editor"},
                                                    {"name": "bob", "role": "reader"}]
    accounts = read_users(tmp_path / "data" / "users.toml")
    assert auth.password_matches("ana-pa55word", accounts["ana"].password_hash)

    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # no terminal, no --password-stdin: never guess
    assert main(["users", "add", "carl"]) == 1
    assert "no terminal to ask for the password" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["users", "add", "carl", "--role", "admin"])
    assert exit_.value.code == 2 and "invalid choice: 'admin'" in capsys.readouterr().err
    monkeypatch.setattr(sys, "stdin", io.StringIO("carl-pa55word\n"))
    assert main(["users", "add", "ANA", "--password-stdin"]) == 1
    assert "user 'ana' already exists" in capsys.readouterr().err

    assert main(["users", "remove", "bob"]) == 0
    assert main(["users", "remove", "ana"]) == 0
    assert "nobody can sign in" in capsys.readouterr().err


def test_cli_asks_for_the_password_twice_at_a_terminal(monkeypatch, capsys):
    from rag.cli import main
    from ui import admin

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    answers = iter(["ana-pa55word", "ana-pa55wordX", "ana-pa55word", "ana-pa55word"])
    prompts = []
    monkeypatch.setattr(admin.getpass, "getpass", lambda prompt: prompts.append(prompt) or next(answers))
    assert main(["users", "add", "ana"]) == 1
    assert "the two passwords differ" in capsys.readouterr().err
    assert main(["users", "add", "ana", "--role", "editor"]) == 0
    assert prompts == ["Password for ana: ", "Repeat it: "] * 2


def test_the_cli_hashes_at_the_full_cost(monkeypatch, tmp_path):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 12)  # the default, not the tests' fast 4
    path = tmp_path / "users.toml"
    add_user(path, "ana", "editor", "ana-pa55word")
    assert read_users(path)["ana"].password_hash.startswith("$2b$12$")


# --- who may do what ----------------------------------------------------------------------------------


def test_access_without_users_is_open_and_everyone_an_editor():
    access = Access.from_settings(load_settings())
    assert access.mode == "open" and not access.login_required
    assert access.require_editor(None).name == "anonymous"


def test_ragchat_auth_still_signs_in_one_editor(monkeypatch, caplog):
    monkeypatch.setenv("RAGCHAT_AUTH", "ed:pa55word")
    access = Access.from_settings(load_settings())
    assert access.mode == "shared" and "deprecated" in caplog.text
    assert access.login("ed", "pa55word") and not access.login("ed", "wrong") and not access.login("x", "pa55word")
    assert access.require_editor("ed").role == "editor"
    with pytest.raises(AccessDenied):
        access.user("someone-else")


def test_users_file_wins_over_ragchat_auth_and_follows_its_changes(users, monkeypatch, caplog):
    monkeypatch.setenv("RAGCHAT_AUTH", "ed:pa55word")
    access = Access.from_settings(load_settings())
    assert access.mode == "users" and "RAGCHAT_AUTH is ignored" in caplog.text
    assert not access.login("ed", "pa55word")
    assert access.login("bob", "bob-pa55word") and not access.login("bob", "ana-pa55word")
    assert not access.login("nobody", "bob-pa55word")
    assert access.user("ana").is_editor
    with pytest.raises(AccessDenied, match=r"^Only editors can change the archive; you are signed in as bob "):
        access.require_editor("bob")
    with pytest.raises(AccessDenied, match="not signed in"):
        access.user(None)

    remove_user(users, "bob")  # takes effect without a restart
    with pytest.raises(AccessDenied):
        access.user("bob")
    users.write_text("not = [valid", encoding="utf-8")  # a broken file keeps the last good users
    assert access.user("ana").is_editor and "stay in force" in caplog.text


# --- the service: roles enforced, changes logged, a failed replace undone -----------------------------


@pytest.fixture
def service(users, fake_embedder):
    from ui.service import ChatService

    s = ChatService(load_settings())
    yield s
    s.close()


@pytest.fixture
def notes(tmp_path):
    path = tmp_path / "in" / "notes.txt"
    path.parent.mkdir()
    path.write_text("Notes\n\nThe harbour channel will be twelve metres deep.\n", encoding="utf-8")
    return path


def stored_text(service, doc_id="notes") -> str:
    return " ".join(c.text for c in service.store.document_chunks(doc_id))


def test_a_reader_cannot_change_the_archive_and_each_attempt_is_logged(service, notes):
    with pytest.raises(AccessDenied) as refused:
        service.add_files([notes], user="bob")
    assert str(refused.value) == READER_REFUSED
    assert not service.uploads.exists()
    with pytest.raises(AccessDenied, match="not signed in"):
        service.add_files([notes])  # no user in a window with a login: refused too
    service.add_files([notes], user="ana")
    with pytest.raises(AccessDenied, match=re.escape(READER_REFUSED)):
        service.remove("notes", user="bob")
    assert "notes" in service.documents() and (service.uploads / "notes.txt").exists()

    entries = audit_entries()
    assert [(e["user"], e["role"], e["action"], e["result"]) for e in entries] == [
        ("bob", "reader", "upload", "refused"), ("", "unknown", "upload", "refused"),
        ("ana", "editor", "upload", "added"), ("bob", "reader", "remove", "refused")]
    assert entries[0]["file"] == "notes.txt" and entries[0]["detail"] == READER_REFUSED
    assert entries[3]["doc_id"] == "notes"
    assert all(e["time"].endswith("Z") and e["time"][10] == "T" for e in entries)
    assert stat.S_IMODE((service.audit.path).stat().st_mode) == 0o600


def test_an_editor_uploads_replaces_and_removes_with_an_audit_trail(service, notes, capsys):
    from rag.cli import main

    assert service.add_files([notes], user="ana") == (["notes.txt: added (1 chunk)"], [])
    notes.write_text("Notes\n\nThe channel will be fourteen metres deep.\n", encoding="utf-8")
    done, failed = service.add_files([notes], user="ana")
    assert done == ["notes.txt: updated, replacing the earlier version (1 chunk)"] and failed == []
    assert "fourteen" in stored_text(service)
    assert "Removed Notes" in service.remove("notes", user="ana")
    assert [(e["user"], e["action"], e["result"], e["doc_id"]) for e in audit_entries()] == [
        ("ana", "upload", "added", "notes"), ("ana", "replace", "updated", "notes"),
        ("ana", "remove", "removed", "notes")]
    assert main(["audit"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and "ana (editor)  replace notes.txt: updated" in out[1]


def test_a_failed_replace_keeps_the_old_version_on_disk_and_in_the_store(service, notes):
    service.add_files([notes], user="ana")
    old = (service.uploads / "notes.txt").read_bytes()
    notes.write_bytes("Notes\n\nThe caf\xe9 will be fourteen metres deep.\n".encode("latin-1"))
    done, failed = service.add_files([notes], user="ana")
    assert done == [] and len(failed) == 1
    assert failed[0].startswith("notes.txt: not valid UTF-8")
    assert failed[0].endswith("The earlier version of notes.txt stays in force.")
    assert (service.uploads / "notes.txt").read_bytes() == old
    assert "twelve metres" in stored_text(service) and service.documents()["notes"]["state"] == "done"
    assert list(service.uploads.with_name("uploads-staging").iterdir()) == []  # no copy left behind
    assert audit_entries()[-1] | {"time": "", "detail": ""} == {
        "time": "", "user": "ana", "role": "editor", "action": "replace", "file": "notes.txt", "doc_id": "",
        "result": "failed", "detail": ""}


def test_a_replace_that_fails_while_writing_the_store_is_undone(service, notes, monkeypatch):
    """The new version's chunks are half-written (the old ones already deleted) when the store fails:
    the old file goes back and the old version is written again."""
    import ingest.store

    service.add_files([notes], user="ana")
    old = (service.uploads / "notes.txt").read_bytes()
    failures = iter([RuntimeError("disk full")])

    def failpoint(name):
        if name == "deleted-old":
            exc = next(failures, None)
            if exc:
                raise exc

    monkeypatch.setattr(ingest.store, "failpoint", failpoint)
    notes.write_text("Notes\n\nThe channel will be fourteen metres deep.\n", encoding="utf-8")
    done, failed = service.add_files([notes], user="ana")
    assert done == [] and len(failed) == 1
    assert "notes.txt: the Chroma store" in failed[0] and "disk full" in failed[0]
    assert "The earlier version of notes.txt stays in force." in failed[0]
    assert (service.uploads / "notes.txt").read_bytes() == old
    assert "twelve metres" in stored_text(service) and "fourteen" not in stored_text(service)
    assert service.documents()["notes"]["state"] == "done"
    assert [doc for doc, _ in service.store.keyword.search("twelve metres", 5)]  # the keyword index too
    assert service.store.keyword.search("fourteen", 5) == []


def test_a_new_upload_that_fails_leaves_nothing(service, tmp_path):
    bad = tmp_path / "broken.txt"
    bad.write_bytes(b"caf\xe9")
    done, failed = service.add_files([bad], user="ana")
    assert done == [] and failed[0].startswith("broken.txt: not valid UTF-8")
    assert "earlier version" not in failed[0]
    assert list(service.uploads.iterdir()) == []


def test_without_users_everyone_is_an_editor_logged_as_anonymous(fake_embedder, notes):
    from ui.service import ChatService

    service = ChatService(load_settings())
    try:
        assert service.add_files([notes])[0] == ["notes.txt: added (1 chunk)"]
    finally:
        service.close()
    assert [(e["user"], e["role"], e["result"]) for e in audit_entries()] == [("anonymous", "editor", "added")]


# --- the page: controls by role -----------------------------------------------------------------------


def test_readers_do_not_see_the_upload_and_remove_controls(users):
    from ui.app import access_views

    upload, remove, note, whoami = access_views(Access.from_settings(load_settings()), "bob")
    assert upload["visible"] is False and remove["visible"] is False and note["visible"] is True
    assert "only editors can add, replace or remove" in note["value"] and "bob" in whoami
    upload, remove, note, whoami = access_views(Access.from_settings(load_settings()), "ana")
    assert upload["visible"] and remove["visible"] and note["visible"] is False
    assert "Signed in as <b>ana</b> (editor)" in whoami and 'href="logout"' in whoami
    upload, *_ = access_views(Access("open"), None)
    assert upload["visible"]


def test_remove_adapter_tells_a_reader_why(service):
    from ui.app import remove_document

    report, *_ = remove_document(service, None, user="bob")
    assert "Only editors can change the archive" in report


# --- through the API, as a script would call it --------------------------------------------------------


@pytest.mark.server
def test_a_readers_upload_through_the_api_is_refused(users, tmp_path, notes):
    from gradio_client import Client, handle_file

    from ui_helpers import serve

    with serve(tmp_path / "data", free_port(), [SEED], tmp_path / "server.log") as url:
        reader = Client(url, auth=("bob", "bob-pa55word"), verbose=False)
        messages, *_ = reader.predict("What did the Defence Minister say?", "extractive", 8,
                                      api_name="/on_respond")  # readers chat; older callers pass no dates
        assert "no good hope from them" in str(messages[-1]["content"])
        report, *_ = reader.predict([handle_file(str(notes))], api_name="/add_files")
        assert READER_REFUSED in report
        report, *_ = reader.predict("000_10acc92e9fefab75", api_name="/remove_document")
        assert READER_REFUSED in report
        reader.close()
        editor = Client(url, auth=("ana", "ana-pa55word"), verbose=False)
        report, *_ = editor.predict([handle_file(str(notes))], api_name="/add_files")
        assert "notes.txt: added" in report
        editor.close()
        with pytest.raises(ValueError, match="Could not login"):  # a wrong password is refused at sign-in
            Client(url, auth=("bob", "wrong-password"), verbose=False)
    assert [(e["user"], e["action"], e["result"]) for e in audit_entries()] == [
        ("bob", "upload", "refused"), ("bob", "remove", "refused"), ("ana", "upload", "added")]


def test_a_bad_users_file_stops_the_window_with_one_line(capsys, users):
    from rag.cli import main

    users.write_text('[users.ana]\nrole = "boss"\n', encoding="utf-8")
    assert main(["ui", "--port", str(free_port())]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"ragchat: error: users file {users}, line 1, user 'ana': unknown role 'boss'")
    assert err.count("\n") == 1


def test_only_loopback_hosts_count_as_private():
    from ui.app import is_loopback

    assert all(map(is_loopback, ["127.0.0.1", "127.0.0.2", "::1", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "192.168.1.4", "::", "example.org"]))
