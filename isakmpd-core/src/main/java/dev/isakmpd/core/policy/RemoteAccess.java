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
     * @param pool the IPv4 addresses handed out, one per client (user and identity); network and
     *     broadcast addresses excluded
     * @param dns DNS servers (INTERNAL_IP4_DNS)
     * @param dnsDomain the default domain (Cisco Unity UNITY_DEF_DOMAIN)
     * @param splitInclude the networks the client should send through the tunnel (UNITY_SPLIT_INCLUDE)
     * @param push we SET the configuration after XAUTH instead of waiting for the client's REQUEST
     */
    public record ModeConfig(Subnet pool, List<InetAddress> dns, Optional<String> dnsDomain,
            List<Subnet> splitInclude, boolean push) {
        public ModeConfig {
            dns = List.copyOf(dns);
            splitInclude = List.copyOf(splitInclude);
            if (!pool.isIpv4() || pool.prefixLength() > 30 || pool.prefixLength() < 16) {
                throw new IllegalArgumentException("address pool " + pool + " must be an IPv4 subnet, /16 to /30");
            }
            if (dns.stream().anyMatch(a -> a.getAddress().length != 4)) {
                throw new IllegalArgumentException("DNS servers must be IPv4 addresses: " + dns);
            }
            if (splitInclude.stream().anyMatch(s -> !s.isIpv4())) {
                throw new IllegalArgumentException("split-include networks must be IPv4: " + splitInclude);
            }
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
