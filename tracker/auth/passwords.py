"""Password hashing with argon2id."""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password):
    """An argon2id hash of the password."""
    return _hasher.hash(password)


def verify_password(password_hash, password):
    """True when the password matches; never raises on a corrupt hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    """True when the hash was made with older parameters."""
    return _hasher.check_needs_rehash(password_hash)


# A hash to verify against for unknown usernames, so timing does not reveal
# which usernames exist.
DUMMY_HASH = _hasher.hash("not-a-real-password")
