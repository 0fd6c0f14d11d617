package dev.isakmpd.core.policy;

import dev.isakmpd.oakley.SecretBytes;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a peer policy does after phase 1 in Transaction exchanges (ISAKMP exchange 6): XAUTH
 * (draft-beaulieu-ike-xauth-02) as the gateway that asks or the client that answers, and
 * Mode-Config (draft-dukes-ike-mode-cfg-02) as the gateway that hands out addresses.
 *
 * @param xauthServer when present we ask the peer for a user name and password after phase 1,
 *     and refuse its Quick Modes until it has given a good one
 * @param modeConfig when present we give the peer an address from a pool, DNS and split networks
 * @param xauthClient when present we answer a gateway's XAUTH request with these credentials and
 *     pull our configuration from it before our Quick Modes start
 */
public record RemoteAccess(Optional<XauthServer> xauthServer, Optional<ModeConfig> modeConfig,
        Optional<XauthClient> xauthClient) {

    public static final RemoteAccess NONE = new RemoteAccess(Optional.empty(), Optional.empty(), Optional.empty());

    public RemoteAccess {
        Objects.requireNonNull(xauthServer, "xauthServer");
        Objects.requireNonNull(modeConfig, "modeConfig");
        Objects.requireNonNull(xauthClient, "xauthClient");
        if (xauthClient.isPresent() && (xauthServer.isPresent() || modeConfig.isPresent())) {
            throw new IllegalArgumentException("a peer is either the XAUTH client or the gateway, not both");
        }
    }

    /** Whether Transaction exchanges run with this peer at all. */
    public boolean any() {
        return xauthServer.isPresent() || modeConfig.isPresent() || xauthClient.isPresent();
    }

    /**
     * The gateway's side of XAUTH.
     *
     * @param retries how many wrong answers a client may give before its ISAKMP SA is deleted
     */
    public record XauthServer(XauthUsers users, int retries) {
        public static final int DEFAULT_RETRIES = 3;

        public XauthServer {
            Objects.requireNonNull(users, "users");
            if (retries < 1 || retries > 10) {
                throw new IllegalArgumentException("XAUTH retries must be 1..10, not " + retries);
            }
        }
    }

    /**
     * The gateway's side of Mode-Config.
     *
     * @param pool the addresses handed out, one per client (user and identity): IPv4 /16 to /30
     *     (network and broadcast addresses excluded) or IPv6 /64 to /126 (the Subnet-Router anycast
     *     address, RFC 4291 s2.6.1, excluded)
     * @param dns DNS servers (INTERNAL_IP4_DNS, INTERNAL_IP6_DNS), of either family
     * @param dnsDomain the default domain (Cisco Unity UNITY_DEF_DOMAIN)
     * @param splitInclude the networks the client should send through the tunnel (UNITY_SPLIT_INCLUDE
     *     and INTERNAL_IP4_SUBNET for IPv4 ones, INTERNAL_IP6_SUBNET for IPv6 ones)
     * @param push we SET the configuration after XAUTH instead of waiting for the client's REQUEST
     * @param otherPool a second pool of the other family, so that a client gets one address of each
     */
    public record ModeConfig(Subnet pool, List<InetAddress> dns, Optional<String> dnsDomain,
            List<Subnet> splitInclude, boolean push, Optional<Subnet> otherPool) {
        public ModeConfig {
            dns = List.copyOf(dns);
            splitInclude = List.copyOf(splitInclude);
            checkPool(pool);
            otherPool.ifPresent(ModeConfig::checkPool);
            if (otherPool.isPresent() && otherPool.get().isIpv4() == pool.isIpv4()) {
                throw new IllegalArgumentException("two address pools of one family: " + pool + ", " + otherPool.get());
            }
        }

        /** One pool (of either family) and no other. */
        public ModeConfig(Subnet pool, List<InetAddress> dns, Optional<String> dnsDomain, List<Subnet> splitInclude,
                boolean push) {
            this(pool, dns, dnsDomain, splitInclude, push, Optional.empty());
        }

        /** Why a subnet cannot be a pool, or null. */
        public static String poolProblem(Subnet pool) {
            if (pool.isIpv4() ? pool.prefixLength() < 16 || pool.prefixLength() > 30
                    : pool.prefixLength() < 64 || pool.prefixLength() > 126) {
                return "must be an IPv4 subnet from /16 to /30 or an IPv6 subnet from /64 to /126, got " + pool;
            }
            return null;
        }

        private static void checkPool(Subnet pool) {
            String problem = poolProblem(pool);
            if (problem != null) {
                throw new IllegalArgumentException("address pool " + problem);
            }
        }

        /** The pools, the first one first. */
        public List<Subnet> pools() {
            return otherPool.map(o -> List.of(pool, o)).orElse(List.of(pool));
        }

        /** The pool of one family. */
        public Optional<Subnet> pool(boolean ipv4) {
            return pools().stream().filter(p -> p.isIpv4() == ipv4).findFirst();
        }

        /** The pool holding part of {@code net}, if any. */
        public Optional<Subnet> poolOverlapping(Subnet net) {
            return pools().stream().filter(p -> p.overlaps(net)).findFirst();
        }
    }

    /**
     * The client's side of XAUTH: the credentials we answer a gateway with.
     *
     * @param pull we REQUEST our configuration after XAUTH; otherwise we wait for the gateway's SET
     */
    public record XauthClient(String user, SecretBytes password, boolean pull) {
        public XauthClient {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "XauthClient[user=" + user + ", password=<redacted>, pull=" + pull + "]";
        }
    }
}
