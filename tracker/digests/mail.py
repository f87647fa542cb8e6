"""Turning an outbox row into an email and handing it to SMTP or a file.

The relay (``tracker.digests.outbox``) decides what to send; this module
only knows MIME, smtplib and how to read a server's answer.
"""
import hashlib
import os
import re
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from email_validator import EmailNotValidError, validate_email
from flask import current_app

from tracker.timeutil import as_utc


class DeliveryError(Exception):
    """A message was not accepted.

    ``permanent`` says whether retrying can help; ``unreachable`` that no
    server took the connection, so no other message can go out now either.
    """

    def __init__(self, answer, permanent, unreachable=False):
        super().__init__(answer)
        self.answer = answer
        self.permanent = permanent
        self.unreachable = unreachable


def message_id(key, sender):
    """A Message-ID derived from the outbox key, the same on every attempt.

    Characters that may not appear in a msg-id become dots; a short hash of
    the raw key keeps two keys that differ only in those characters apart.
    """
    domain = sender.rpartition("@")[2] or "localhost"
    readable = re.sub(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]", ".", key).strip(".")
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
    return f"<{readable}.{digest}@{domain}>"


def check_address(address):
    """Raise a permanent DeliveryError when ``address`` is not a usable email address."""
    try:
        validate_email(address or "", check_deliverability=False)
    except EmailNotValidError as error:
        raise DeliveryError(f"invalid address {address!r}: {error}", permanent=True) from None


def build_message(row, sender):
    """The MIME message (plain text with an HTML alternative) for an outbox row."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = format_datetime(as_utc(row.created_at))
    message["Message-ID"] = message_id(row.key, parseaddr(sender)[1])
    # Tell vacation responders and mailing lists this is machine-written.
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.body_text)
    message.add_alternative(row.body_html, subtype="html")
    return message


def _answer(code, text):
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


def classify(error):
    """Map an smtplib/socket error to a DeliveryError (4xx and network: temporary)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()))
        return DeliveryError(_answer(code, text), permanent=500 <= code < 600)
    if isinstance(error, smtplib.SMTPAuthenticationError):
        # Wrong credentials are our configuration, not this message's fault.
        return DeliveryError(_answer(error.smtp_code, error.smtp_error), permanent=False)
    if isinstance(error, smtplib.SMTPConnectError):
        return DeliveryError(_answer(error.smtp_code, error.smtp_error), permanent=False)
    if isinstance(error, smtplib.SMTPResponseException):
        code = error.smtp_code
        return DeliveryError(_answer(code, error.smtp_error), permanent=500 <= code < 600)
    return DeliveryError(f"{type(error).__name__}: {error}", permanent=False)


class FileTransport:
    """Writes each message as ``<instance>/outbox/<key>.eml`` (no SMTP server configured)."""

    def __init__(self, folder):
        self.folder = folder

    def __enter__(self):
        os.makedirs(self.folder, exist_ok=True)
        return self

    def __exit__(self, *exc):
        return False

    def send(self, message, key):
        """Write the message atomically, so a reader never sees half a file."""
        name = re.sub(r"[^A-Za-z0-9.-]", "_", key) + ".eml"
        path = os.path.join(self.folder, name)
        partial = path + ".part"
        with open(partial, "wb") as handle:
            handle.write(message.as_bytes())
        os.replace(partial, path)


class SmtpTransport:
    """One SMTP connection reused for a batch; reconnects after a dropped connection."""

    def __init__(self, config):
        self.config = config
        self.connection = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._close()
        return False

    def _close(self):
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None

    def _connect(self):
        cfg = self.config
        host, port, timeout = cfg["MAIL_SERVER"], cfg["MAIL_PORT"], cfg["MAIL_TIMEOUT"]
        if cfg["MAIL_USE_SSL"]:
            connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            connection = smtplib.SMTP(host, port, timeout=timeout)
            if cfg["MAIL_USE_TLS"]:
                connection.starttls(context=ssl.create_default_context())
        if cfg["MAIL_USERNAME"]:
            connection.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"] or "")
        self.connection = connection

    def send(self, message, key):
        """Send one message; raises DeliveryError with the server's answer."""
        if self.connection is None:
            try:
                self._connect()
            except (smtplib.SMTPException, OSError) as error:
                self._drop()
                failure = classify(error)
                raise DeliveryError(failure.answer, permanent=False, unreachable=True) from error
        try:
            self.connection.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            if not isinstance(error, (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError,
                                      smtplib.SMTPSenderRefused)):
                # The connection is in an unknown state; the next message reconnects.
                self._drop()
            raise classify(error) from error

    def _drop(self):
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None


def transport():
    """SMTP when MAIL_SERVER is set, else .eml files in the instance folder."""
    config = current_app.config
    if config.get("MAIL_SERVER"):
        return SmtpTransport(config)
    return FileTransport(os.path.join(current_app.instance_path, "outbox"))
