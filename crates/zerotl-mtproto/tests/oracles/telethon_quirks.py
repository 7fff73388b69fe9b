"""Telethon 1.45 behaviour the oracle scripts must allow for (imported by them).

Short auth keys: Telethon's `authenticator.do_authentication` turns g^ab into bytes
with `rsa.get_byte_array`, which drops leading zero bytes. MTProto's auth key is
always 2048 bits (256 bytes, big endian, zero-padded), so whenever g^ab < 2^2040
(about one exchange in 256) Telethon's key is shorter, its SHA-1 differs, and its
own new_nonce_hash check fails with "Step 3 invalid new nonce hash" against any
server that follows the spec, ours included. Telethon's client reconnects and
tries again; the scripts do the same, but only after checking that this really is
the short-key case (the key Telethon built had fewer than 256 bytes).
"""

from telethon.errors import SecurityError
from telethon.network import authenticator


class _RecordingAuthKey(authenticator.AuthKey):
    """Telethon's AuthKey, remembering the length of the last key it was made from."""

    last_length = None

    def __init__(self, data):
        _RecordingAuthKey.last_length = len(data)
        super().__init__(data)


authenticator.AuthKey = _RecordingAuthKey


def is_short_key_failure(error):
    """Whether `error` is Telethon's check failing on a key it shortened itself."""
    return (isinstance(error, SecurityError)
            and 'invalid new nonce hash' in str(error)
            and (_RecordingAuthKey.last_length or 256) < 256)


def last_key_length():
    """The length of the last auth key Telethon built (None before any)."""
    return _RecordingAuthKey.last_length
