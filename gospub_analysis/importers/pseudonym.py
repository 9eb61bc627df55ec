"""Pseudonymisation of residents: a keyed HMAC of the platform user id.

The key comes from `GOSPUB_PSEUDONYM_KEY` (the key itself), else from the file named by
`GOSPUB_PSEUDONYM_KEY_FILE`, else from `~/.config/gospub/pseudonym.key`, created with a
random key on first use. A key file inside the project repository is refused: the key
must never be committed. The same key gives the same pseudonym for the same person
across imports, so residents can be counted without being identified.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from ..config import PROJECT_ROOT

ENV_KEY = "GOSPUB_PSEUDONYM_KEY"
ENV_KEY_FILE = "GOSPUB_PSEUDONYM_KEY_FILE"
DEFAULT_KEY_FILE = Path("~/.config/gospub/pseudonym.key")
PREFIX = "r_"
DIGEST_CHARS = 20  # 80 bits: no collisions at the scale of a region's residents


def _inside_repository(path: Path) -> bool:
    try:
        path.resolve().relative_to(PROJECT_ROOT.resolve())
    except ValueError:
        return False
    return (PROJECT_ROOT / ".git").exists()


def key_file_path() -> Path:
    return Path(os.environ.get(ENV_KEY_FILE) or DEFAULT_KEY_FILE).expanduser()


def load_key() -> bytes:
    """The pseudonymisation key (see the module docstring for where it comes from)."""
    value = os.environ.get(ENV_KEY)
    if value:
        return value.encode("utf-8")
    path = key_file_path()
    if _inside_repository(path):
        raise ValueError(f"pseudonym key file {path} is inside the repository {PROJECT_ROOT}; "
                         f"keep it outside git (set {ENV_KEY_FILE} to a path elsewhere)")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    key = path.read_text(encoding="utf-8").strip()
    if not key:
        raise ValueError(f"pseudonym key file {path} is empty; delete it to have a new key made, "
                         f"or set {ENV_KEY}")
    return key.encode("utf-8")


class Pseudonymizer:
    """Maps platform user ids to stable pseudonyms such as 'r_3f9a…' (cached per id)."""

    def __init__(self, key: bytes | None = None):
        self._key = key if key is not None else load_key()
        self._cache: dict[tuple[str, object], str] = {}

    def __call__(self, platform: str, user_id: object) -> str:
        token = (platform, user_id)
        found = self._cache.get(token)
        if found is None:
            message = f"{platform}:{user_id}".encode("utf-8")
            found = PREFIX + hmac.new(self._key, message, hashlib.sha256).hexdigest()[:DIGEST_CHARS]
            self._cache[token] = found
        return found

    def __repr__(self) -> str:  # never show the key
        return "Pseudonymizer(<key hidden>)"
