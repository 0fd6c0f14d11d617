#!/usr/bin/env bash
# make-test-pki.sh DIR - the test PKI of the certificate tests and the interop lab, made with
# OpenSSL (independent of the Bouncy Castle / JDK code under test):
#
#   root CA  "C=XX, O=isakmpd test, CN=Test Root CA"            (RSA 2048)
#   └─ intermediate "C=XX, O=isakmpd test, CN=Test Intermediate CA"  (RSA 2048)
#      ├─ gw-a      RSA 2048, SAN DNS:gw-a.example.org, IP:198.51.100.1   (us in the lab)
#      ├─ gw-b      RSA 2048, SAN DNS:gw-b.example.org, IP:198.51.100.2   (the peer in the lab)
#      ├─ gw-b-ec   ECDSA P-256, same subject alt names as gw-b
#      ├─ gw-a-ec   ECDSA P-256, same subject alt names as gw-a
#      ├─ carol     RSA 2048 "CN=carol.example.org", a second road warrior beside gw-b in the lab
#      ├─ revoked   RSA 2048 "CN=revoked.example.org", listed in intermediate.crl.pem
#      ├─ nosign    RSA 2048 "CN=nosign.example.org", keyUsage keyEncipherment only
#      ├─ expired   RSA 2048 "CN=expired.example.org", valid 2020-01-01 .. 2021-01-01 only
#      └─ revoked-a RSA 2048 "CN=revoked-a.example.org", listed (with revoked) only in the
#                   later intermediate-2.crl.pem, which strongSwan gets in the lab
#   rogue CA (self-signed, not trusted) └─ rogue  "CN=gw-b.example.org" (a look-alike)
#
# Each end entity: NAME.key.pem (PKCS#8, mode 600), NAME.crt.pem, NAME.chain.pem (its
# certificate, then the intermediate). Valid 2026-01-01 .. 2036-01-01 (but expired). Deterministic names,
# random keys: rerun only when the set must change, and commit the output.
set -euo pipefail
out=${1:?usage: make-test-pki.sh DIR}
mkdir -p "$out"; cd "$out"
start=20260101000000Z
end=20360101000000Z

cat > ca.cnf <<'CNF'
[ca]
default_ca = ca_default
[ca_default]
database = index.txt
serial = serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = copy
[anything]
countryName = optional
organizationName = optional
commonName = supplied
[v3_ca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_ee]
basicConstraints = CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_nosign]
basicConstraints = CA:false
keyUsage = critical, keyEncipherment
[crl_ext]
# strongSwan finds a CRL by its issuer's key identifier
authorityKeyIdentifier = keyid:always
CNF

newca() { # NAME SUBJECT [ISSUER]
    local name=$1 subj=$2 issuer=${3:-}
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$name.key.pem" 2>/dev/null
    mkdir -p "db-$name"; : > "db-$name/index.txt"; echo 1000 > "db-$name/serial"
    openssl req -new -key "$name.key.pem" -subj "$subj" -out "$name.csr" 2>/dev/null
    if [ -z "$issuer" ]; then
        (cd "db-$name" && openssl ca -batch -selfsign -config ../ca.cnf -keyfile "../$name.key.pem" \
            -extensions v3_ca -startdate $start -enddate $end -notext -in "../$name.csr" \
            -out "../$name.crt.pem" -outdir . 2>/dev/null)
    else
        sign "$issuer" "$name" v3_ca
    fi
}
sign() { # ISSUER NAME EXTENSIONS
    (cd "db-$1" && openssl ca -batch -config ../ca.cnf -keyfile "../$1.key.pem" -cert "../$1.crt.pem" \
        -extensions "$3" -startdate $start -enddate $end -notext -in "../$2.csr" -out "../$2.crt.pem" \
        -outdir . 2>/dev/null)
}
ee() { # NAME SUBJECT KEYALG SAN [EXT] [ISSUER]
    local name=$1 subj=$2 alg=$3 san=$4 ext=${5:-v3_ee} issuer=${6:-intermediate}
    if [ "$alg" = ec ]; then
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$name.key.pem"
    else
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$name.key.pem" 2>/dev/null
    fi
    chmod 600 "$name.key.pem"
    openssl req -new -key "$name.key.pem" -subj "$subj" ${san:+-addext "subjectAltName=$san"} \
        -out "$name.csr" 2>/dev/null
    sign "$issuer" "$name" "$ext"
    cat "$name.crt.pem" intermediate.crt.pem > "$name.chain.pem"
}

newca root "/C=XX/O=isakmpd test/CN=Test Root CA"
newca intermediate "/C=XX/O=isakmpd test/CN=Test Intermediate CA" root
ee gw-a "/C=XX/O=isakmpd test/CN=gw-a.example.org" rsa "DNS:gw-a.example.org,IP:198.51.100.1"
ee gw-b "/C=XX/O=isakmpd test/CN=gw-b.example.org" rsa "DNS:gw-b.example.org,IP:198.51.100.2"
ee gw-a-ec "/C=XX/O=isakmpd test/CN=gw-a.example.org" ec "DNS:gw-a.example.org,IP:198.51.100.1"
ee gw-b-ec "/C=XX/O=isakmpd test/CN=gw-b.example.org" ec "DNS:gw-b.example.org,IP:198.51.100.2"
ee carol "/C=XX/O=isakmpd test/CN=carol.example.org" rsa "DNS:carol.example.org"
ee revoked "/C=XX/O=isakmpd test/CN=revoked.example.org" rsa "DNS:revoked.example.org"
ee nosign "/C=XX/O=isakmpd test/CN=nosign.example.org" rsa "DNS:nosign.example.org" v3_nosign
(cd db-intermediate && openssl ca -config ../ca.cnf -keyfile ../intermediate.key.pem \
    -cert ../intermediate.crt.pem -revoke ../revoked.crt.pem 2>/dev/null &&
 openssl ca -gencrl -config ../ca.cnf -keyfile ../intermediate.key.pem -cert ../intermediate.crt.pem \
    -crl_lastupdate $start -crl_nextupdate $end -out ../intermediate.crl.pem 2>/dev/null)
start=20200101000000Z end=20210101000000Z \
    ee expired "/C=XX/O=isakmpd test/CN=expired.example.org" rsa "DNS:expired.example.org"
ee revoked-a "/C=XX/O=isakmpd test/CN=revoked-a.example.org" rsa "DNS:revoked-a.example.org"
(cd db-intermediate && openssl ca -config ../ca.cnf -keyfile ../intermediate.key.pem \
    -cert ../intermediate.crt.pem -revoke ../revoked-a.crt.pem 2>/dev/null &&
 openssl ca -gencrl -config ../ca.cnf -keyfile ../intermediate.key.pem -cert ../intermediate.crt.pem \
    -crlexts crl_ext -crl_lastupdate 20260102000000Z -crl_nextupdate $end -out ../intermediate-2.crl.pem 2>/dev/null)
newca rogue "/C=XX/O=isakmpd test/CN=Rogue CA"
ee rogue-gw-b "/C=XX/O=isakmpd test/CN=gw-b.example.org" rsa "DNS:gw-b.example.org,IP:198.51.100.2" v3_ee rogue
rm -rf db-* ./*.csr ca.cnf
chmod 600 ./*.key.pem
echo "test PKI in $out: $(ls | tr '\n' ' ')"
