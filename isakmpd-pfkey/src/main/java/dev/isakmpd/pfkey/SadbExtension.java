package dev.isakmpd.pfkey;

import dev.isakmpd.core.policy.Addresses;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * One PF_KEY v2 extension (RFC 2367 s2.3 and the KAME/Linux ones). Records are immutable; the
 * codec is {@link SadbCodec}. {@link #type()} is the sadb_ext_type the record is encoded with.
 */
public sealed interface SadbExtension {

    int type();

    /** sadb_sa. The SPI is held as the int whose big-endian bytes are the wire SPI. */
    record Sa(int spi, int replay, int state, int auth, int encrypt, int flags) implements SadbExtension {
        public int type() {
            return Sadb.EXT_SA;
        }

        @Override
        public String toString() {
            return String.format("SA{spi=0x%08x replay=%d state=%d auth=%d encrypt=%d flags=0x%x}", spi, replay,
                    state, auth, encrypt, flags);
        }
    }

    /** sadb_lifetime; {@code type} is LIFETIME_CURRENT, _HARD or _SOFT. Times in seconds. */
    record Lifetime(int type, int allocations, long bytes, long addtime, long usetime) implements SadbExtension {
        public Lifetime {
            check(type, Sadb.EXT_LIFETIME_CURRENT, Sadb.EXT_LIFETIME_HARD, Sadb.EXT_LIFETIME_SOFT);
        }
    }

    /**
     * sadb_address + sockaddr; {@code type} is ADDRESS_SRC/DST/PROXY or X_NAT_T_OA. {@code proto} is
     * the upper-layer protocol (255 = any), {@code port} the sockaddr's port.
     */
    record Address(int type, int proto, int prefixLength, InetAddress address, int port) implements SadbExtension {
        public Address {
            check(type, Sadb.EXT_ADDRESS_SRC, Sadb.EXT_ADDRESS_DST, Sadb.EXT_ADDRESS_PROXY, Sadb.X_EXT_NAT_T_OA);
            int max = address.getAddress().length * 8;
            if (prefixLength < 0 || prefixLength > max) {
                throw new IllegalArgumentException("prefix length " + prefixLength + " for " + address);
            }
        }

        public static Address host(int type, InetAddress a) {
            return new Address(type, 0, a.getAddress().length * 8, a, 0);
        }

        @Override
        public String toString() {
            return Sadb.extensionName(type) + "{" + Addresses.format(address) + "/" + prefixLength
                    + (port != 0 ? " port " + port : "") + " proto " + proto + "}";
        }
    }

    /** sadb_key: KEY_AUTH or KEY_ENCRYPT. {@code toString} never shows the key. */
    record Key(int type, int bits, byte[] key) implements SadbExtension {
        public Key {
            check(type, Sadb.EXT_KEY_AUTH, Sadb.EXT_KEY_ENCRYPT);
            key = key.clone();
            if (bits > key.length * 8 || bits <= (key.length - 1) * 8 && key.length > 0) {
                throw new IllegalArgumentException(bits + " key bits in " + key.length + " bytes");
            }
        }

        @Override
        public byte[] key() {
            return key.clone();
        }

        /** Overwrites the key bytes held by this record. */
        public void wipe() {
            Arrays.fill(key, (byte) 0);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.type == type && k.bits == bits && Arrays.equals(k.key, key);
        }

        @Override
        public int hashCode() {
            return type * 31 + bits;
        }

        @Override
        public String toString() {
            return Sadb.extensionName(type) + "{" + bits + " bits, redacted}";
        }
    }

    /** sadb_ident: IDENTITY_SRC/DST. */
    record Identity(int type, int identType, long id, String value) implements SadbExtension {
        public Identity {
            check(type, Sadb.EXT_IDENTITY_SRC, Sadb.EXT_IDENTITY_DST);
        }
    }

    /** sadb_sens with its two bitmaps (u64 words). */
    record Sensitivity(int dpd, int sensLevel, int integLevel, long[] sensBitmap, long[] integBitmap)
            implements SadbExtension {
        public Sensitivity {
            sensBitmap = sensBitmap.clone();
            integBitmap = integBitmap.clone();
        }

        public int type() {
            return Sadb.EXT_SENSITIVITY;
        }

        @Override
        public long[] sensBitmap() {
            return sensBitmap.clone();
        }

        @Override
        public long[] integBitmap() {
            return integBitmap.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Sensitivity s && s.dpd == dpd && s.sensLevel == sensLevel
                    && s.integLevel == integLevel && Arrays.equals(s.sensBitmap, sensBitmap)
                    && Arrays.equals(s.integBitmap, integBitmap);
        }

        @Override
        public int hashCode() {
            return dpd * 31 + sensLevel * 7 + integLevel;
        }

        @Override
        public String toString() {
            return "SENSITIVITY{dpd=" + dpd + " sens=" + sensLevel + Arrays.toString(sensBitmap) + " integ="
                    + integLevel + Arrays.toString(integBitmap) + "}";
        }
    }

    /** One sadb_comb of a PROPOSAL: an algorithm combination the kernel would accept, with lifetimes. */
    record Comb(int auth, int encrypt, int flags, int authMinBits, int authMaxBits, int encryptMinBits,
            int encryptMaxBits, int softAllocations, int hardAllocations, long softBytes, long hardBytes,
            long softAddtime, long hardAddtime, long softUsetime, long hardUsetime) {
    }

    /** sadb_prop + sadb_comb[]. */
    record Proposal(int replay, List<Comb> combs) implements SadbExtension {
        public Proposal {
            combs = List.copyOf(combs);
        }

        public int type() {
            return Sadb.EXT_PROPOSAL;
        }
    }

    /** One sadb_alg of SUPPORTED_AUTH/ENCRYPT. */
    record Alg(int id, int ivLength, int minBits, int maxBits) {
    }

    /** sadb_supported + sadb_alg[]: SUPPORTED_AUTH or SUPPORTED_ENCRYPT (REGISTER replies). */
    record Supported(int type, List<Alg> algs) implements SadbExtension {
        public Supported {
            check(type, Sadb.EXT_SUPPORTED_AUTH, Sadb.EXT_SUPPORTED_ENCRYPT);
            algs = List.copyOf(algs);
        }

        public Optional<Alg> find(int id) {
            return algs.stream().filter(a -> a.id() == id).findFirst();
        }
    }

    /** sadb_spirange (GETSPI): SPIs as unsigned ints, inclusive. */
    record SpiRange(int min, int max) implements SadbExtension {
        public int type() {
            return Sadb.EXT_SPIRANGE;
        }

        @Override
        public String toString() {
            return String.format("SPIRANGE{0x%08x..0x%08x}", min, max);
        }
    }

    /** sadb_x_sa2: mode (IPSEC_MODE_*), replay sequence, reqid. */
    record Sa2(int mode, int sequence, int reqid) implements SadbExtension {
        public int type() {
            return Sadb.X_EXT_SA2;
        }
    }

    /**
     * One sadb_x_ipsecrequest of an X_POLICY: protocol (IPPROTO_ESP/AH/COMP), mode, level, reqid,
     * and for tunnel mode the outer addresses.
     */
    record IpsecRequest(int proto, int mode, int level, int reqid, Optional<InetAddress> tunnelSource,
            Optional<InetAddress> tunnelDestination) {
        public IpsecRequest {
            if (tunnelSource.isPresent() != tunnelDestination.isPresent()) {
                throw new IllegalArgumentException("tunnel endpoints come in pairs");
            }
            if (tunnelSource.isPresent() && (tunnelSource.get() instanceof Inet4Address)
                    != (tunnelDestination.get() instanceof Inet4Address)) {
                throw new IllegalArgumentException("tunnel endpoints of different families");
            }
        }
    }

    /** sadb_x_policy (KAME/Linux SPD entry): type, direction, id, priority, requests. */
    record Policy(int policyType, int direction, int id, int priority, List<IpsecRequest> requests)
            implements SadbExtension {
        public Policy {
            requests = List.copyOf(requests);
        }

        public int type() {
            return Sadb.X_EXT_POLICY;
        }
    }

    /** sadb_x_nat_t_type: UDP_ENCAP_*. */
    record NatTType(int encapType) implements SadbExtension {
        public int type() {
            return Sadb.X_EXT_NAT_T_TYPE;
        }
    }

    /** sadb_x_nat_t_port: X_NAT_T_SPORT or X_NAT_T_DPORT (port in network order on the wire). */
    record NatTPort(int type, int port) implements SadbExtension {
        public NatTPort {
            check(type, Sadb.X_EXT_NAT_T_SPORT, Sadb.X_EXT_NAT_T_DPORT);
        }
    }

    /** Any other extension (KMPRIVATE, SEC_CTX, KMADDRESS, FILTER, unknown): kept as its body bytes. */
    record Opaque(int type, byte[] body) implements SadbExtension {
        public Opaque {
            body = body.clone();
        }

        @Override
        public byte[] body() {
            return body.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Opaque x && x.type == type && Arrays.equals(x.body, body);
        }

        @Override
        public int hashCode() {
            return type;
        }

        @Override
        public String toString() {
            return Sadb.extensionName(type) + "{" + HexFormat.of().formatHex(body) + "}";
        }
    }

    private static void check(int type, int... allowed) {
        for (int a : allowed) {
            if (type == a) {
                return;
            }
        }
        throw new IllegalArgumentException("extension type " + type + " (" + Sadb.extensionName(type)
                + ") not allowed here");
    }

    /** True for an IPv6 address (sockaddr_in6 on the wire). */
    static boolean isV6(InetAddress a) {
        return a instanceof Inet6Address;
    }
}
