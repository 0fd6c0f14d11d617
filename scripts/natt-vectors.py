#!/usr/bin/python3
"""Independent known-answer NAT-D hashes (RFC 3947 s3.2) for isakmpd-core.

HASH = HASH(CKY-I | CKY-R | IP | Port): the negotiated phase-1 hash (not its HMAC) over the
cookies, the address in network order (4 or 16 octets) and the port as 2 octets. Stdlib only
(hashlib, ipaddress, struct), sharing no code with the Java side. Regenerate with:

    /usr/bin/python3 scripts/natt-vectors.py \
        > isakmpd-core/src/test/resources/vectors/nat-t.txt

Output: one line per vector, "hash cky-i cky-r address port digest", all hex but the address and port;
then "vid VERSION md5" for the NAT-T vendor IDs, each the MD5 of its name (RFC 3947 s3.1, the drafts'
s3.1; "-02n" is the name with a trailing newline that many clients send).
"""
import hashlib
import ipaddress
import struct

COOKIES = [("0123456789abcdef", "fedcba9876543210"), ("a1b2c3d4e5f60718", "0000000000000001")]
ENDPOINTS = [("198.51.100.1", 500), ("203.0.113.7", 4500), ("203.0.113.7", 40001), ("2001:db8::1", 4500)]
HASHES = {"md5": hashlib.md5, "sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384,
          "sha512": hashlib.sha512}

for name, h in HASHES.items():
    for cki, ckr in COOKIES:
        for address, port in ENDPOINTS:
            data = bytes.fromhex(cki) + bytes.fromhex(ckr) + ipaddress.ip_address(address).packed \
                + struct.pack("!H", port)
            print(name, cki, ckr, address, port, h(data).hexdigest())

VENDOR_IDS = {"RFC3947": b"RFC 3947", "DRAFT_02": b"draft-ietf-ipsec-nat-t-ike-02",
              "DRAFT_02_NEWLINE": b"draft-ietf-ipsec-nat-t-ike-02\n", "DRAFT_03": b"draft-ietf-ipsec-nat-t-ike-03"}
for version, text in VENDOR_IDS.items():
    print("vid", version, hashlib.md5(text).hexdigest())
