"""Password hashing with argon2id.

The cost parameters come from the configuration (``ARGON2_TIME_COST``,
``ARGON2_MEMORY_COST`` in KiB, ``ARGON2_PARALLELISM``): production keeps
argon2-cffi's RFC 9106 defaults, the test configuration uses cheap ones so
the suite does not spend its time hashing. A hash made with other
parameters is redone on the next successful login (``needs_rehash``).
"""
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


@lru_cache(maxsize=8)
def _hasher_for(time_cost, memory_cost, parallelism):
    return PasswordHasher(
        time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID
    )


def _hasher():
    config = current_app.config
    return _hasher_for(
        config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"], config["ARGON2_PARALLELISM"]
    )


def hash_password(password):
    """An argon2id hash of the password with the configured parameters."""
    return _hasher().hash(password)


def verify_password(password_hash, password):
    """True when the password matches; never raises on a corrupt hash."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash):
    """True when the hash was made with other parameters than the configured ones."""
    return _hasher().check_needs_rehash(password_hash)


@lru_cache(maxsize=8)
def _dummy_hash(hasher):
    return hasher.hash("not-a-real-password")


def spend_verify_time(password):
    """Verify against a throw-away hash, so that a login for an unknown
    username takes as long as one for a known one and timing does not tell
    which usernames exist."""
    hasher = _hasher()
    verify_password(_dummy_hash(hasher), password)
