"""Encryption at rest of the file store (issue 19 item 6): AES-256-GCM from ``cryptography``.

A stored file is ``MAGIC | key id (8 bytes) | nonce (12 bytes) | ciphertext+tag``. The
additional data is the magic, the key id and the file's name (the SHA-256 of its plaintext),
so a file moved under another name, cut short or changed in one bit does not decrypt. The key
id is the start of a hash of the key: a file names the key that opens it, and a keyring holds
the current key (which encrypts) and older ones (which still decrypt, until ``kakunin key
rotate`` has re-encrypted everything under the current one).

Keys come from a file (``KAKUNIN_STORE_KEY_FILE``: one base64 key a line, the first current)
or from the environment (``KAKUNIN_STORE_KEY``: the same, comma-separated); never from the
data directory, whose backups must not carry the key that opens them. A file without the magic
is a plaintext file stored before encryption was turned on: it is read as it is.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"KKNAES1\n"
KEY_ID_BYTES = 8
NONCE_BYTES = 12
HEADER_BYTES = len(MAGIC) + KEY_ID_BYTES + NONCE_BYTES
KEY_BYTES = 32


class StoreKeyError(Exception):
    """The store's key is missing, wrong or unusable: an operator must act (not retried)."""


def key_id(key: bytes) -> bytes:
    """The 8 bytes that name a key in the files it encrypted (not the key, nor enough to find it)."""
    return hashlib.sha256(b"kakunin store key id\x00" + key).digest()[:KEY_ID_BYTES]


def new_key() -> bytes:
    """A fresh random 256-bit key."""
    return secrets.token_bytes(KEY_BYTES)


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii")


def decode_key(text: str, where: str) -> bytes:
    """A key written as base64 (standard or URL-safe); a clear error otherwise."""
    try:
        key = base64.b64decode(text.strip().replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise StoreKeyError(
            f"{where}: 鍵が base64 ではありません (a store key is 32 bytes in base64)"
        ) from None
    if len(key) != KEY_BYTES:
        raise StoreKeyError(f"{where}: 鍵は 32 バイトです（{len(key)} バイトでした）")
    return key


@dataclass(frozen=True)
class Keyring:
    """The keys of the store: ``keys[0]`` encrypts, every key decrypts what it encrypted."""

    keys: tuple[bytes, ...]
    source: str

    @property
    def current(self) -> bytes:
        return self.keys[0]

    @property
    def current_id(self) -> bytes:
        return key_id(self.current)

    def find(self, wanted: bytes) -> bytes | None:
        return next((key for key in self.keys if key_id(key) == wanted), None)


def parse_keys(text: str, source: str, separator: str = "\n") -> Keyring:
    """Keys from a key file's text (one a line, ``#`` comments) or the environment (commas)."""
    lines = [line.strip() for line in text.split(separator)]
    keys = tuple(decode_key(line, source) for line in lines if line and not line.startswith("#"))
    if not keys:
        raise StoreKeyError(f"{source}: 鍵がありません (no key in it)")
    return Keyring(keys, source)


def refuse_beside_data(key_file: Path, data_dir: Path) -> None:
    """A key file inside the data directory would travel with every copy and backup of the
    data it protects: refused."""
    if key_file.resolve().is_relative_to(data_dir.resolve()):
        raise StoreKeyError(
            f"鍵ファイル {key_file} がデータディレクトリ {data_dir} の中にあります。"
            "データと別の場所に置いてください (the key must not be stored beside the data)"
        )


def write_key_file(path: Path, keys: tuple[bytes, ...], exclusive: bool = False) -> None:
    """Write a key file (0600) atomically: the first key encrypts from now on."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    text = "# Kakunin file store keys: the first encrypts, the others only decrypt\n"
    text += "".join(encode_key(key) + "\n" for key in keys)
    if exclusive:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        return
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


class KeySource:
    """Where a process finds its keyring: a key file, re-read when it changes (so a rotation
    reaches running workers and web servers), or a fixed keyring from the environment."""

    def __init__(self, key_file: Path | None = None, keyring: Keyring | None = None) -> None:
        if (key_file is None) == (keyring is None):
            raise ValueError("a KeySource has a key file or a keyring")
        self.key_file = key_file
        self._keyring = keyring
        self._stamp: tuple[int, int, int] | None = None

    def keyring(self) -> Keyring:
        if self.key_file is None:
            assert self._keyring is not None  # noqa: S101 - the constructor guarantees it
            return self._keyring
        try:
            info = self.key_file.stat()
        except OSError as exc:
            raise StoreKeyError(
                f"鍵ファイル {self.key_file} を読めません (KAKUNIN_STORE_KEY_FILE): {exc.strerror}"
            ) from None
        stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        if self._keyring is None or stamp != self._stamp:
            text = self.key_file.read_text(encoding="ascii")
            self._keyring = parse_keys(text, f"KAKUNIN_STORE_KEY_FILE={self.key_file}")
            self._stamp = stamp
        return self._keyring


def is_sealed(blob: bytes) -> bool:
    return blob.startswith(MAGIC)


def sealed_key_id(blob: bytes) -> bytes | None:
    """The id of the key a stored file was encrypted with; None for a plaintext file."""
    return blob[len(MAGIC) : len(MAGIC) + KEY_ID_BYTES] if is_sealed(blob) else None


def _aad(kid: bytes, name: str) -> bytes:
    return MAGIC + kid + name.encode("ascii")


def seal(keyring: Keyring, name: str, data: bytes) -> bytes:
    """``data`` encrypted under the current key, bound to its store name."""
    kid, nonce = keyring.current_id, secrets.token_bytes(NONCE_BYTES)
    return MAGIC + kid + nonce + AESGCM(keyring.current).encrypt(nonce, data, _aad(kid, name))


def unseal(keyring: Keyring | None, name: str, blob: bytes) -> bytes:
    """The plaintext of a stored file (a plaintext file as it is). A missing key, another key
    or a changed file raises :class:`StoreKeyError` naming what to do."""
    if not is_sealed(blob):
        return blob
    kid = blob[len(MAGIC) : len(MAGIC) + KEY_ID_BYTES]
    if keyring is None:
        raise StoreKeyError(
            f"ファイル {name[:12]}… は暗号化されていますが、鍵が設定されていません "
            "(set KAKUNIN_STORE_KEY_FILE or KAKUNIN_STORE_KEY)"
        )
    key = keyring.find(kid)
    if key is None:
        raise StoreKeyError(
            f"ファイル {name[:12]}… は鍵 {kid.hex()} で暗号化されていますが、{keyring.source} にその鍵がありません "
            f"(wrong key: this file needs key id {kid.hex()})"
        )
    nonce = blob[len(MAGIC) + KEY_ID_BYTES : HEADER_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, blob[HEADER_BYTES:], _aad(kid, name))
    except InvalidTag:
        raise StoreKeyError(
            f"ファイル {name[:12]}… の認証に失敗しました（改ざん・破損）(authentication failed: the file was changed)"
        ) from None


def key_source(key_file: Path | None, key_text: str | None, data_dir: Path) -> KeySource | None:
    """The key source the settings name (``store_key_file`` or ``store_key``); None when
    neither is set (a plaintext store). A key file inside the data directory is refused."""
    if key_file is not None and key_text:
        raise StoreKeyError("KAKUNIN_STORE_KEY_FILE と KAKUNIN_STORE_KEY の一方だけを設定してください")
    if key_file is not None:
        refuse_beside_data(key_file, data_dir)
        return KeySource(key_file=key_file)
    if key_text:
        return KeySource(keyring=parse_keys(key_text, "KAKUNIN_STORE_KEY", separator=","))
    return None
