#!/usr/bin/python3
"""Independent reference vectors for the isakmpd-oakley module (IKEv1, RFC 2409).

Stdlib only (pow, hmac, hashlib) so that it shares no code with the Java
implementation (BigInteger + Bouncy Castle). All inputs are fixed, so the
output is deterministic. Regenerate the test resource with:

    /usr/bin/python3 scripts/oakley-vectors.py \
        > isakmpd-oakley/src/test/resources/vectors/oakley-kat.txt

Output format: "[section]" lines, "key = value" lines, "#" comments.
Byte strings are lowercase hex; counts are decimal.
"""
import hashlib
import hmac
import sys


def _hex(text):
    return int("".join(text.split()), 16)


# RFC 2409 s6.2 (group 2) and RFC 3526 s3 (group 14); generator 2 for both.
MODP = {
    2: _hex("""
        FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1
        29024E08 8A67CC74 020BBEA6 3B139B22 514A0879 8E3404DD
        EF9519B3 CD3A431B 302B0A6D F25F1437 4FE1356D 6D51C245
        E485B576 625E7EC6 F44C42E9 A637ED6B 0BFF5CB6 F406B7ED
        EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE65381
        FFFFFFFF FFFFFFFF"""),
    14: _hex("""
        FFFFFFFF FFFFFFFF C90FDAA2 2168C234 C4C6628B 80DC1CD1
        29024E08 8A67CC74 020BBEA6 3B139B22 514A0879 8E3404DD
        EF9519B3 CD3A431B 302B0A6D F25F1437 4FE1356D 6D51C245
        E485B576 625E7EC6 F44C42E9 A637ED6B 0BFF5CB6 F406B7ED
        EE386BFB 5A899FA5 AE9F2411 7C4B1FE6 49286651 ECE45B3D
        C2007CB8 A163BF05 98DA4836 1C55D39A 69163FA8 FD24CF5F
        83655D23 DCA3AD96 1C62F356 208552BB 9ED52907 7096966D
        670C354E 4ABC9804 F1746C08 CA18217C 32905E46 2E36CE3B
        E39E772C 180E8603 9B2783A2 EC07A28F B5C55DF0 6F4C52C9
        DE2BCBF6 95581718 3995497C EA956AE5 15D22618 98FA0510
        15728E5A 8AACAA68 FFFFFFFF FFFFFFFF"""),
}
GENERATOR = 2

HASHES = {
    "MD5": hashlib.md5,
    "SHA1": hashlib.sha1,
    "SHA2_256": hashlib.sha256,
    "SHA2_384": hashlib.sha384,
    "SHA2_512": hashlib.sha512,
}
BLOCK_SIZE = {"AES_CBC": 16, "DES3_CBC": 8}


def plen(group):
    return (MODP[group].bit_length() + 7) // 8


def i2b(x, n):
    """Big-endian, left-padded with zeros to n bytes (RFC 2409 s5)."""
    return x.to_bytes(n, "big")


def det_bytes(label, n):
    """Deterministic filler for test inputs: SHA-256 in counter mode."""
    out = b""
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"{label}#{counter}".encode()).digest()
        counter += 1
    return out[:n]


def exponent(label, group, accept=lambda x: True):
    """Fixed private exponent in [2, p-2]; tries label/0, label/1, ... until accept(x)."""
    p = MODP[group]
    attempt = 0
    while True:
        x = 2 + int.from_bytes(det_bytes(f"{label}/{attempt}", plen(group) + 8), "big") % (p - 3)
        if accept(x):
            return x
        attempt += 1


def prf(hname, key, *data):
    return hmac.new(key, b"".join(data), HASHES[hname]).digest()


def digest(hname, *data):
    return HASHES[hname](b"".join(data)).digest()


def enc_key(hname, skeyid_e, n):
    """RFC 2409 Appendix B: SKEYID_e itself if long enough, else Ka = K1|K2|...,
    K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1)."""
    if len(skeyid_e) >= n:
        return skeyid_e[:n]
    out = b""
    k = prf(hname, skeyid_e, b"\x00")
    out += k
    while len(out) < n:
        k = prf(hname, skeyid_e, k)
        out += k
    return out[:n]


def keymat(hname, skeyid_d, gxy_qm, protocol, spi, ni_b, nr_b, n):
    """RFC 2409 s5.5: KEYMAT = K1|K2|..., K1 = prf(SKEYID_d, [g(qm)^xy|] protocol|SPI|Ni_b|Nr_b),
    Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b)."""
    seed = (gxy_qm or b"") + bytes([protocol]) + spi + ni_b + nr_b
    out = b""
    prev = b""
    while len(out) < n:
        prev = prf(hname, skeyid_d, prev, seed)
        out += prev
    return out[:n]


def leading_zero(group, x, base=GENERATOR):
    return pow(base, x, MODP[group]) < (1 << (8 * (plen(group) - 1)))


SCENARIOS = [
    # name, group, hash, cipher, key bits, keymat lengths, force leading-zero DH values
    ("A", 2, "SHA1", "AES_CBC", 256, [20, 36, 64], True),     # SKEYID_e 20 < 32: expansion
    ("B", 14, "SHA2_256", "DES3_CBC", 192, [56], False),      # SKEYID_e 32 > 24: truncation
    ("C", 2, "MD5", "AES_CBC", 192, [36], False),             # SKEYID_e 16 < 24: expansion
    ("D", 2, "SHA2_256", "AES_CBC", 256, [32, 33], False),    # SKEYID_e 32 == 32: boundary
]


def emit_scenario(out, name, group, hname, cipher, key_bits, lengths, force_zero):
    p = MODP[group]
    n = plen(group)
    lbl = f"oakley-kat/{name}"
    if force_zero:
        # Pick exponents so that g^xr and g^xy need left-padding, to exercise
        # the fixed-length encoding of RFC 2409 s5.
        xr = exponent(lbl + "/xr", group, lambda x: leading_zero(group, x))
        gxr_int = pow(GENERATOR, xr, p)
        xi = exponent(lbl + "/xi", group, lambda x: leading_zero(group, x, gxr_int))
    else:
        xi = exponent(lbl + "/xi", group)
        xr = exponent(lbl + "/xr", group)
    gxi = i2b(pow(GENERATOR, xi, p), n)
    gxr = i2b(pow(GENERATOR, xr, p), n)
    gxy = i2b(pow(int.from_bytes(gxr, "big"), xi, p), n)
    assert gxy == i2b(pow(int.from_bytes(gxi, "big"), xr, p), n)

    psk = f"pre-shared key for scenario {name}".encode()
    ni_b = det_bytes(lbl + "/Ni", 16)
    nr_b = det_bytes(lbl + "/Nr", 24)
    cky_i = det_bytes(lbl + "/CKY-I", 8)
    cky_r = det_bytes(lbl + "/CKY-R", 8)

    # RFC 2409 s5 (pre-shared keys)
    skeyid = prf(hname, psk, ni_b, nr_b)
    skeyid_d = prf(hname, skeyid, gxy, cky_i, cky_r, b"\x00")
    skeyid_a = prf(hname, skeyid, skeyid_d, gxy, cky_i, cky_r, b"\x01")
    skeyid_e = prf(hname, skeyid, skeyid_a, gxy, cky_i, cky_r, b"\x02")
    bs = BLOCK_SIZE[cipher]
    key = enc_key(hname, skeyid_e, key_bits // 8)
    iv1 = digest(hname, gxi, gxr)[:bs]

    # Appendix B: phase-2 / informational IV
    last_block = det_bytes(lbl + "/last-phase1-block", bs)
    msg_id = int.from_bytes(det_bytes(lbl + "/M-ID", 4), "big") | 0x80000000  # high bit set
    iv2 = digest(hname, last_block, msg_id.to_bytes(4, "big"))[:bs]

    # Quick Mode (s5.5): ESP, 4-byte SPI, PFS in the same group.
    protocol = 3
    spi = det_bytes(lbl + "/SPI", 4)
    qm_ni = det_bytes(lbl + "/QM-Ni", 16)
    qm_nr = det_bytes(lbl + "/QM-Nr", 20)
    qxi = exponent(lbl + "/qm-xi", group)
    qxr = exponent(lbl + "/qm-xr", group)
    qgxi = i2b(pow(GENERATOR, qxi, p), n)
    qgxr = i2b(pow(GENERATOR, qxr, p), n)
    qgxy = i2b(pow(int.from_bytes(qgxr, "big"), qxi, p), n)

    kv = [
        ("group", group), ("hash", hname), ("cipher", cipher), ("key_bits", key_bits),
        ("psk", psk.hex()), ("ni_b", ni_b.hex()), ("nr_b", nr_b.hex()),
        ("cky_i", cky_i.hex()), ("cky_r", cky_r.hex()),
        ("xi", format(xi, "x")), ("xr", format(xr, "x")),
        ("gxi", gxi.hex()), ("gxr", gxr.hex()), ("gxy", gxy.hex()),
        ("skeyid", skeyid.hex()), ("skeyid_d", skeyid_d.hex()),
        ("skeyid_a", skeyid_a.hex()), ("skeyid_e", skeyid_e.hex()),
        ("enc_key", key.hex()), ("iv1", iv1.hex()),
        ("last_phase1_block", last_block.hex()), ("msg_id", format(msg_id, "08x")),
        ("iv2", iv2.hex()),
        ("qm_protocol", protocol), ("qm_spi", spi.hex()),
        ("qm_ni_b", qm_ni.hex()), ("qm_nr_b", qm_nr.hex()),
        ("qm_xi", format(qxi, "x")), ("qm_xr", format(qxr, "x")),
        ("qm_gxi", qgxi.hex()), ("qm_gxr", qgxr.hex()), ("qm_gxy", qgxy.hex()),
        ("keymat_lengths", ",".join(str(x) for x in lengths)),
    ]
    for length in lengths:
        kv.append((f"keymat_nopfs_{length}",
                   keymat(hname, skeyid_d, None, protocol, spi, qm_ni, qm_nr, length).hex()))
        kv.append((f"keymat_pfs_{length}",
                   keymat(hname, skeyid_d, qgxy, protocol, spi, qm_ni, qm_nr, length).hex()))

    out.write(f"\n[scenario {name}]\n")
    for k, v in kv:
        out.write(f"{k} = {v}\n")


def main(out):
    out.write("# Generated by scripts/oakley-vectors.py (Python stdlib: pow, hmac, hashlib).\n")
    out.write("# Do not edit by hand; regenerate with the script.\n")
    for gid, p in sorted(MODP.items()):
        out.write(f"\n[group {gid}]\n")
        out.write(f"p = {format(p, 'x')}\n")
        out.write(f"bits = {p.bit_length()}\n")
        out.write(f"g = {GENERATOR}\n")
    for scenario in SCENARIOS:
        emit_scenario(out, *scenario)


if __name__ == "__main__":
    main(sys.stdout)
