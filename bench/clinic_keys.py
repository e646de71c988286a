"""Clinic keys: what member unlock, case-key wrapping and field encryption cost.

Usage: .venv/bin/python bench/clinic_keys.py [--members 20] [--fields 20000]

Makes throw-away member identities (the hard-minimum Argon2id settings for all but one
unlock, which uses the product's tuned settings), a case with ``--members`` members, removes
one (a key rotation wraps the new key to everyone left), and encrypts and decrypts
``--fields`` generated values of 40 characters. Prints the figures; writes nothing.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmachine import cpu_model, load_average

from ncii_desk.vault import keys, members
from ncii_desk.vault.fields import FieldCipher
from ncii_desk.vault.roles import MemberRole

PASS = "correct horse battery staple"


def timed(fn: object, *args: object) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args)  # type: ignore[operator]
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--fields", type=int, default=20000)
    args = parser.parse_args()
    print(f"cpu: {cpu_model()}  load: {load_average()}")

    clinic = uuid.uuid4().hex
    fast = keys.KdfParams(keys.MIN_MEMORY_KIB, 1, 2, secrets.token_bytes(16))
    tuned = keys.tune_kdf()
    start = time.perf_counter()
    product = members.create_member(clinic, PASS, kdf=tuned)
    print(
        f"create member, tuned Argon2id ({tuned.memory_kib // 1024} MiB, t={tuned.time_cost}): "
        f"{time.perf_counter() - start:.2f} s"
    )
    seconds, _ = timed(product.record.unlock, PASS)
    print(f"unlock member, tuned settings: {seconds:.2f} s")
    seconds, _ = timed(product.record.recover, product.recovery_key)
    print(f"unlock member with the recovery key: {seconds * 1000:.2f} ms")

    team = [members.create_member(clinic, PASS, kdf=fast).keys for _ in range(args.members)]
    ring, _, _ = members.CaseKeyring.create(
        uuid.uuid4().hex, team[0], MemberRole.SUPERVISING_ATTORNEY
    )
    adds = []
    for member in team[1:]:
        seconds, _ = timed(ring.add_member, team[0], member.public, MemberRole.ADVOCATE)
        adds.append(seconds)
    print(f"add a member (wrap 1 version + sign): median {statistics.median(adds) * 1000:.2f} ms")
    seconds, _ = timed(ring.remove_member, team[0], team[-1].member_id)
    print(
        f"remove a member (new version wrapped to {len(ring.members)} members + sign): "
        f"{seconds * 1000:.2f} ms"
    )
    opens = [timed(ring.open, member)[0] for member in team[:-1]]
    print(
        "open a case (2 versions, check commitments): "
        f"median {statistics.median(opens) * 1000:.2f} ms"
    )

    cipher = FieldCipher(ring.open(team[0]).values())
    values = [secrets.token_hex(20) for _ in range(args.fields)]
    rows = [uuid.uuid4().hex for _ in values]
    start = time.perf_counter()
    tokens = [cipher.encrypt("items", "notes", r, v) for r, v in zip(rows, values, strict=True)]
    enc = time.perf_counter() - start
    start = time.perf_counter()
    back = [cipher.decrypt("items", "notes", r, t) for r, t in zip(rows, tokens, strict=True)]
    dec = time.perf_counter() - start
    assert back == values
    print(
        f"fields ({args.fields} values of 40 chars): encrypt {args.fields / enc:,.0f}/s, "
        f"decrypt {args.fields / dec:,.0f}/s, token {len(tokens[0])} chars"
    )


if __name__ == "__main__":
    main()
