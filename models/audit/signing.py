"""The office's signing key and the checkpoints it signs (Ed25519, with `cryptography`).

A checkpoint signs the ledger's head: the campaign, the newest event's sequence
number and hash, and when. The private key stays in the office (a file readable
by its owner only); anyone holding the public key can check every checkpoint,
and so that no event up to it was altered, removed or reordered since.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

PRIVATE_NAME = "office-signing.key"
PUBLIC_NAME = "office-signing.pub"


class SigningKeyError(Exception):
    """A key that cannot be made, read or used; the message says what to do."""


@dataclass(frozen=True)
class SignedHead:
    """What a checkpoint says, and the signature over exactly that."""

    campaign_id: str
    seq: int
    hash: str
    signed_at: str
    key_id: str
    signature: str  # hex

    def message(self) -> bytes:
        return checkpoint_message(self.campaign_id, self.seq, self.hash, self.signed_at)

    def to_json(self) -> dict[str, str | int]:
        return {"campaign": self.campaign_id, "seq": self.seq, "hash": self.hash,
                "signed_at": self.signed_at, "key_id": self.key_id, "signature": self.signature}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SignedHead:
        """A checkpoint from its JSON object; anything else raises `SigningKeyError`."""
        try:
            return cls(str(data["campaign"]), int(data["seq"]), str(data["hash"]),
                       str(data["signed_at"]), str(data["key_id"]), str(data["signature"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise SigningKeyError(f"not a checkpoint: {exc}") from None


def checkpoint_message(campaign_id: str, seq: int, hash_: str, signed_at: str) -> bytes:
    """The exact bytes signed: versioned, so a signature means one thing only."""
    return json.dumps(["scanpipe-checkpoint/1", campaign_id, seq, hash_, signed_at],
                      separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def key_id(public: Ed25519PublicKey) -> str:
    """The public key's fingerprint: SHA-256 of its raw 32 bytes, hex."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def create_key(private_path: Path, public_path: Path) -> str:
    """Make the office's key pair: the private key at `private_path` (0600 whatever the umask,
    written whole under a temporary name then linked into place), the public one at
    `public_path` (0644, for the auditors). Refuses to replace a private key that exists;
    returns the fingerprint. A folder it makes for the private key is 0700."""
    if private_path.exists() or private_path.is_symlink():
        raise SigningKeyError(f"{private_path} exists already: an office keeps one key. Keep using it "
                              "(replacing it would orphan every checkpoint signed with it).")
    private_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    fd, temp = tempfile.mkstemp(dir=private_path.parent, prefix=".new-key-")  # made 0600
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o600)
            out.write(pem)
            out.flush()
            os.fsync(out.fileno())
        os.link(temp, private_path)  # never replaces a file
    except FileExistsError:
        raise SigningKeyError(f"{private_path} exists already: an office keeps one key") from None
    finally:
        os.unlink(temp)
    public = private.public_key()
    public_path.parent.mkdir(parents=True, exist_ok=True)
    partial = public_path.with_name(public_path.name + ".part")
    partial.write_bytes(public.public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo))
    partial.chmod(0o644)
    partial.replace(public_path)
    return key_id(public)


def _read_key(path: Path, read: Callable[[bytes], object], what: str, missing: str) -> object:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningKeyError(missing) from None
    except OSError as exc:
        raise SigningKeyError(f"cannot read the {what} {path}: {exc.strerror or exc}") from None
    try:
        return read(data)
    except (ValueError, TypeError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SigningKeyError(f"{path} is not a readable {what}: {reason}") from None
    except Exception as exc:  # the key parser's own errors (UnsupportedAlgorithm…)
        raise SigningKeyError(f"{path} is not a readable {what}: {type(exc).__name__}") from None


def _other_kind(path: Path) -> SigningKeyError:
    return SigningKeyError(f"{path} holds another kind of key; checkpoints use Ed25519")


def load_private(path: Path) -> Ed25519PrivateKey:
    key = _read_key(path, lambda data: serialization.load_pem_private_key(data, password=None),
                    "Ed25519 private key",
                    f"no signing key at {path}: make one with 'scanpipe audit key create'")
    if not isinstance(key, Ed25519PrivateKey):
        raise _other_kind(path)
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    key = _read_key(path, serialization.load_pem_public_key, "public key", f"no public key at {path}")
    if not isinstance(key, Ed25519PublicKey):
        raise _other_kind(path)
    return key


def sign_head(private: Ed25519PrivateKey, campaign_id: str, seq: int, hash_: str,
              signed_at: str) -> SignedHead:
    signature = private.sign(checkpoint_message(campaign_id, seq, hash_, signed_at))
    return SignedHead(campaign_id, seq, hash_, signed_at, key_id(private.public_key()),
                      signature.hex())


def signature_holds(public: Ed25519PublicKey, head: SignedHead) -> bool:
    try:
        public.verify(bytes.fromhex(head.signature), head.message())
    except (InvalidSignature, ValueError):
        return False
    return True
