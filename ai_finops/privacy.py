"""Pseudonyms for people: a keyed hash (HMAC-SHA256) applied where raw records are landed.

A person's identifier (an e-mail address, a GitHub or Cursor user, a vendor user id, the
person part of an AWS IAM principal) becomes `user_` + the first 16 hex digits of
HMAC-SHA256(key, the identifier in lower case). The landing applies it to every record before
anything is written, so no table of the warehouse, no landed Parquet file and no text dbt
writes ever holds the identifier, and the key is read here, in Python, never rendered into SQL.

The key: `AI_FINOPS_PSEUDONYM_KEY` when set; else the file `AI_FINOPS_PSEUDONYM_KEY_FILE`; else
the file beside the warehouse, `<warehouse path up to '.duckdb'>.key`. When that file does not
exist, the first build writes 32 random bytes to it (mode 0600) and says where. The same key
gives the same pseudonyms in every build and table; a new key gives new ones everywhere (a
rebuild of everything, since every landed file changes).

16 hex digits are 64 bits: among 1,000,000 people the chance that two share a pseudonym is
about n^2 / 2^65 = 2.7e-8.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path

KEY_ENV = "AI_FINOPS_PSEUDONYM_KEY"
KEY_FILE_ENV = "AI_FINOPS_PSEUDONYM_KEY_FILE"
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# the person part of an IAM principal: an IAM user (with its path), the session of an assumed
# role (SSO roles name the person there), a federated user
PRINCIPAL = re.compile(
    r"(arn:aws[\w-]*:(?:iam|sts)::\d{12}:"
    r"(?:user(?:/[\w+=,.@-]+)*/|assumed-role/[\w+=,.@-]+/|federated-user/))"
    r"([\w+=,.@-]+)"
)
PSEUDONYM = re.compile(r"user_[0-9a-f]{16}")


def default_key_file(db_path: str) -> Path:
    """The key file beside a warehouse: its path up to '.duckdb', plus '.key'."""
    return Path(db_path.split(".duckdb")[0] + ".key")


def load_key(db_path: str, key_file: str = "") -> tuple[bytes, str]:
    """The pseudonym key and where it comes from; creates the key file when there is none."""
    if os.environ.get(KEY_ENV):
        return os.environ[KEY_ENV].encode(), f"${KEY_ENV}"
    path = Path(key_file or os.environ.get(KEY_FILE_ENV, "") or default_key_file(db_path))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another build created it first
            return path.read_bytes(), str(path)
        with os.fdopen(handle, "wb") as sink:
            sink.write(secrets.token_hex(32).encode())
        print(f"[privacy] generated a pseudonym key in {path} (mode 0600); keep it with the"
              " warehouse: the same key gives the same pseudonyms", file=sys.stderr)
    return path.read_bytes().strip(), str(path)


@functools.lru_cache(maxsize=1 << 16)
def keyed_state(key: bytes) -> "hmac.HMAC":
    """An HMAC-SHA256 keyed once, to copy for every message."""
    return hmac.new(key, digestmod=hashlib.sha256)


@functools.lru_cache(maxsize=1 << 20)
def keyed_pseudonym(key: bytes, identifier: str) -> str:
    """user_ + the first 16 hex digits of HMAC-SHA256(key, identifier) (people repeat: a
    cache of a million identifiers saves recomputing them)."""
    state = keyed_state(key).copy()
    state.update(identifier.encode())
    return "user_" + state.hexdigest()[:16]


@dataclass(frozen=True)
class Pseudonymiser:
    """Turns people's identifiers into pseudonyms; with no key, keeps them
    (AI_FINOPS_KEEP_EMAILS=true)."""

    key: bytes | None

    @property
    def key_id(self) -> str:
        """What tells one key from another without revealing it ('kept' without a key)."""
        if self.key is None:
            return "kept"
        return hmac.new(self.key, b"ai-finops key id", hashlib.sha256).hexdigest()[:16]

    def pseudonym(self, identifier: str) -> str:
        if self.key is None or PSEUDONYM.fullmatch(identifier):
            return identifier
        return keyed_pseudonym(self.key, identifier.strip().lower())

    def text(self, text: str) -> str:
        """Free text with the person part of every IAM principal and every e-mail address
        replaced by its pseudonym."""
        if self.key is None or not text:
            return text
        text = PRINCIPAL.sub(lambda m: m.group(1) + self.pseudonym(m.group(2)), text)
        return EMAIL.sub(lambda m: self.pseudonym(m.group(0)), text)

    def value(self, value: str | None) -> str | None:
        """The value of a field that identifies a person: its principal or addresses
        pseudonymised when it holds any, else the whole value."""
        if self.key is None or value is None or value.strip() == "":
            return value
        changed = self.text(value)
        return changed if changed != value else self.pseudonym(value)
