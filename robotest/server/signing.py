"""Ed25519 signing of versions and channel statements.

The server keeps its private key in the data directory (created on first start,
mode 0600); stations pin the public key and refuse anything it did not sign.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from robotest.server.errors import SignatureError
from robotest.server.manifest import canonical_json

KEY_FILE = "signing-key.pem"
PUBLIC_FILE = "signing-key.pub"


class Signer:
    """Signs bytes with the server's Ed25519 key."""

    def __init__(self, key: Ed25519PrivateKey):
        self._key = key

    def sign(self, data: bytes) -> str:
        """Base64 signature of `data`."""
        return base64.b64encode(self._key.sign(data)).decode()

    @property
    def public_key_text(self) -> str:
        """The public key as base64 of its 32 raw bytes: what stations pin."""
        raw = self._key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return base64.b64encode(raw).decode()


def load_or_create_signer(data_dir: Path) -> Signer:
    """The data directory's signing key, created (0600) when absent."""
    path = data_dir / KEY_FILE
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise SignatureError(f"{path} is not an Ed25519 private key")
        signer = Signer(key)
    else:
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        os.replace(tmp, path)
        signer = Signer(key)
    (data_dir / PUBLIC_FILE).write_text(signer.public_key_text + "\n")
    return signer


def channel_statement(channel: str, version: str, seq: int) -> bytes:
    """The bytes signed for "channel points to version, move number seq"."""
    return canonical_json({"channel": channel, "version": version, "seq": seq})


def parse_public_key(text: str) -> Ed25519PublicKey:
    """A pinned public key from its base64 text (or the contents of a .pub file)."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, TypeError) as exc:
        raise SignatureError("the public key is not a base64 Ed25519 key (32 bytes)") from exc


def verify(public_key: Ed25519PublicKey, data: bytes, signature: str | None, what: str) -> None:
    """Raise SignatureError unless `signature` is `public_key`'s signature of `data`."""
    if not signature:
        raise SignatureError(f"{what} is unsigned")
    try:
        public_key.verify(base64.b64decode(signature, validate=True), data)
    except (InvalidSignature, ValueError) as exc:
        raise SignatureError(f"{what} has a bad signature (not signed by the pinned key)") from exc
