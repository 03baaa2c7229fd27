"""Real mail servers on loopback for the tests: Debian's Dovecot as an IMAP server, with a
configuration of its own in a temporary folder, on a free port, one account per test.

Reused by the mailbox tests, the public-form browser test and the lead's walk-through:

    from tests.mailservers import dovecot_server   # a pytest fixture (import it into a conftest)

    def test_x(dovecot_server):
        dovecot_server.append(raw_bytes)            # deliver a message (IMAP APPEND, INTERNALDATE kept)
        dovecot_server.mailbox_settings()           # the dict settings.PRIVACY_MAILBOXES holds per mailbox

Dovecot is installed with apt-get when missing and the tests run as root (as bin/_venv.sh does for
Chromium); otherwise the tests that need it are skipped and say what to install.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path

import pytest

DOVECOT = "/usr/sbin/dovecot"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_dovecot() -> str | None:
    """The dovecot binary, installed from Debian when missing and allowed; None if not available."""
    found = shutil.which("dovecot") or (DOVECOT if os.path.exists(DOVECOT) else None)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "install", "-y", "-qq", "dovecot-imapd"], env=env, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return shutil.which("dovecot") or (DOVECOT if os.path.exists(DOVECOT) else None)


CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
{users}
first_valid_uid = 0
mail_location = maildir:{root}/mail/%u
mail_plugins =
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  inet_listener http {{
    port = 0
  }}
}}
"""


class DovecotServer:
    """One Dovecot process serving IMAP on 127.0.0.1:<port> with one account."""

    user = "privacy@aqara.test"
    password = "imap-test-password"

    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self, binary: str) -> None:
        for sub in ("run", "state", "mail", "home"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            # Dovecot refuses to run mail processes as root: the mail belongs to "nobody", and the
            # login and internal processes use the users the Debian package created.
            account = pwd.getpwnam("nobody")
            users = ""
            for sub in ("mail", "home"):
                os.chown(self.root / sub, account.pw_uid, account.pw_gid)
        else:
            account = pwd.getpwuid(os.getuid())
            users = (f"default_internal_user = {account.pw_name}\ndefault_login_user = {account.pw_name}\n"
                     f"default_internal_group = {account.pw_name}\n")
        (self.root / "passwd").write_text(f"{self.user}:{{PLAIN}}{self.password}\n")
        config = self.root / "dovecot.conf"
        config.write_text(CONFIG.format(root=self.root, users=users, uid=account.pw_uid, gid=account.pw_gid,
                                        port=self.port))
        self.proc = subprocess.Popen([binary, "-F", "-c", str(config)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
            if self.proc.poll() is not None:
                break
        raise RuntimeError(f"dovecot did not start: {self.log()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def mailbox_settings(self, **overrides) -> dict:
        """One entry of settings.PRIVACY_MAILBOXES for this server's account."""
        return {
            "host": "127.0.0.1", "port": self.port, "security": "plain", "user": self.user,
            "password": self.password, "folder": "INBOX", "address": self.user, "timeout": 10,
            **overrides,
        }

    def client(self):
        from imap_tools import MailBoxUnencrypted

        return MailBoxUnencrypted("127.0.0.1", port=self.port).login(self.user, self.password, "INBOX")

    def append(self, raw: bytes, *, received: datetime | None = None) -> None:
        """Deliver ``raw`` into INBOX; ``received`` becomes its INTERNALDATE (the server's receipt time)."""
        with self.client() as mailbox:
            mailbox.append(raw, "INBOX", dt=received, flag_set=())

    def append_many(self, raws, *, received: datetime | None = None) -> None:
        with self.client() as mailbox:
            for raw in raws:
                mailbox.append(raw, "INBOX", dt=received, flag_set=())

    def flags(self) -> list[set[str]]:
        with self.client() as mailbox:
            return [set(msg.flags) for msg in mailbox.fetch(mark_seen=False, headers_only=True)]


@pytest.fixture
def dovecot_server():
    binary = ensure_dovecot()
    if binary is None:
        pytest.skip("Debian's dovecot-imapd is not installed (apt-get install dovecot-imapd)")
    # A short root of its own (Dovecot's UNIX socket paths are limited to 108 bytes), readable by the
    # unprivileged mail user when the tests run as root (pytest's tmp folders are private to root).
    root = Path(tempfile.mkdtemp(prefix="imap-"))
    root.chmod(0o755)
    server = DovecotServer(root)
    try:
        server.start(binary)
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def make_message(*, sender: str = "Li Wei <li.wei@qq.com>", to: str = "privacy@aqara.test", subject: str = "删除我的数据",
                 body: str = "请删除我的账号数据。", message_id: str | None = "<req-1@qq.com>", date: datetime | None = None,
                 headers: dict | None = None, attachments=()) -> bytes:
    """The raw bytes of an e-mail as a requester's mail program would send it.

    ``attachments``: (file name, bytes, MIME type). ``message_id=None`` leaves the header out."""
    from email.message import EmailMessage
    from email.utils import format_datetime

    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    if date is not None:
        message["Date"] = format_datetime(date)
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    for name, content, mimetype in attachments:
        maintype, subtype = mimetype.split("/", 1)
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


# The smallest file each allowed identity-document type is recognised as (by content).
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
