#!/usr/bin/python3
"""Independent check of HASH_I and HASH_R of a phase-1 exchange, from the wire.

Main Mode or Aggressive Mode, authenticated with a pre-shared key (RFC 2409 s5.4) or with public
key encryption (s5.2, method 4; s5.3, revised, method 5). Reads the exchange's unencrypted
messages as captured on the wire, one hex datagram per line on stdin, each prefixed "i " (sent
by the initiator) or "r " (by the responder). With public key encryption it opens the sealed
payload bodies with `openssl pkeyutl` (RSA, PKCS#1 v1.5) and `openssl enc` (the revised mode's
CBC with Ke_i/Ke_r); an ID that travels encrypted under SKEYID_e (pre-shared key, Main Mode) is
given with --idii-b/--idir-b. SKEYID, HASH_I and HASH_R come from the Python standard library
(the prf and key expansion of scripts/oakley-vectors.py). Shares no code with the Java
implementation. Prints "key = value" lines (hex):

    ni_b, nr_b, idii_b, idir_b, gxi, gxr, skeyid, hash_i, hash_r

Usage:
    scripts/phase1-check.py --initiator-key I.pem --responder-key R.pem [--revised] \\
        [--hash SHA2_256] [--cipher aes-256-cbc] < messages
    scripts/phase1-check.py --psk TEXT [--idii-b HEX --idir-b HEX] [--hash SHA2_256] < messages
"""
import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile

_spec = importlib.util.spec_from_file_location(
    "oakley_vectors", os.path.join(os.path.dirname(os.path.abspath(__file__)), "oakley-vectors.py"))
ov = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ov)

SA, KE, ID, NONCE = 1, 4, 5, 10
KEY_BYTES = {"aes-128-cbc": 16, "aes-192-cbc": 24, "aes-256-cbc": 32, "des-ede3-cbc": 24}


def payloads(datagram):
    """The (type, body) pairs of an unencrypted ISAKMP message (RFC 2408 s3.1, s3.2)."""
    assert len(datagram) >= 28 and datagram[19] & 1 == 0, "not an unencrypted ISAKMP message"
    kind, offset, out = datagram[16], 28, []
    while kind != 0:
        nxt, length = datagram[offset], int.from_bytes(datagram[offset + 2:offset + 4], "big")
        out.append((kind, datagram[offset + 4:offset + length]))
        kind, offset = nxt, offset + length
    return out


def openssl(args, data):
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        return subprocess.run(["openssl"] + args + ["-in", f.name], check=True, capture_output=True).stdout


def rsa_open(key, body):
    return openssl(["pkeyutl", "-decrypt", "-inkey", key], body)


def cbc_open(cipher, key, bodies):
    """RFC 2409 s5.3: zero IV, then each body's IV is the last block of the one before; padding is
    zero bytes and a last byte counting them."""
    iv, out = bytes(16 if cipher.startswith("aes") else 8), []
    for ct in bodies:
        pt = openssl(["enc", "-d", "-" + cipher, "-nopad", "-K", key.hex(), "-iv", iv.hex()], ct)
        out.append(pt[:len(pt) - pt[-1] - 1])
        iv = ct[-len(iv):]
    return out


def side(msgs, key, revised, hname, cipher, cookie, id_b):
    """One side's KE, ID and nonce: opened with the receiving side's private key, if given."""
    found = {t: b for m in msgs for t, b in payloads(m) if t in (KE, ID, NONCE)}
    if key is None:
        return found[KE], found.get(ID, id_b), found[NONCE]
    nonce = rsa_open(key, found[NONCE])
    if not revised:
        return found[KE], rsa_open(key, found[ID]), nonce
    ne = ov.prf(hname, nonce, cookie)
    ke = ov.enc_key(hname, ne, KEY_BYTES[cipher])
    g, ident = cbc_open(cipher, ke, [found[KE], found[ID]])
    return g, ident, nonce


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--psk")
    ap.add_argument("--idii-b", type=bytes.fromhex)
    ap.add_argument("--idir-b", type=bytes.fromhex)
    ap.add_argument("--initiator-key")
    ap.add_argument("--responder-key")
    ap.add_argument("--revised", action="store_true")
    ap.add_argument("--hash", default="SHA2_256", choices=sorted(ov.HASHES))
    ap.add_argument("--cipher", default="aes-256-cbc", choices=sorted(KEY_BYTES))
    a = ap.parse_args()
    if (a.psk is None) == (a.initiator_key is None or a.responder_key is None):
        ap.error("give either --psk or both private keys")
    lines = [ln.split() for ln in sys.stdin if ln.strip()]
    by = {"i": [bytes.fromhex(h) for s, h in lines if s == "i"], "r": [bytes.fromhex(h) for s, h in lines if s == "r"]}
    first = by["i"][0]
    cky_i, cky_r = first[0:8], by["r"][0][8:16]
    sai_b = next(b for t, b in payloads(first) if t == SA)
    gxi, idii_b, ni_b = side(by["i"], a.responder_key, a.revised, a.hash, a.cipher, cky_i, a.idii_b)
    gxr, idir_b, nr_b = side(by["r"], a.initiator_key, a.revised, a.hash, a.cipher, cky_r, a.idir_b)
    if a.psk is not None:
        skeyid = ov.prf(a.hash, a.psk.encode(), ni_b, nr_b)   # RFC 2409 s5: prf(pre-shared-key, Ni_b | Nr_b)
    else:
        # RFC 2409 s5: SKEYID = prf(hash(Ni_b | Nr_b), CKY-I | CKY-R) for both encryption methods
        skeyid = ov.prf(a.hash, ov.digest(a.hash, ni_b, nr_b), cky_i, cky_r)
    hash_i = ov.prf(a.hash, skeyid, gxi, gxr, cky_i, cky_r, sai_b, idii_b)
    hash_r = ov.prf(a.hash, skeyid, gxr, gxi, cky_r, cky_i, sai_b, idir_b)
    for k, v in [("ni_b", ni_b), ("nr_b", nr_b), ("idii_b", idii_b), ("idir_b", idir_b), ("gxi", gxi),
                 ("gxr", gxr), ("skeyid", skeyid), ("hash_i", hash_i), ("hash_r", hash_r)]:
        print(f"{k} = {v.hex()}")


if __name__ == "__main__":
    main()
