package dev.isakmpd.daemon.config;

import dev.isakmpd.core.exchange.HalfOpenLimits;
import dev.isakmpd.core.exchange.RetransmitPolicy;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.policy.DeadPeerDetection;
import dev.isakmpd.core.policy.EspIntegrity;
import dev.isakmpd.core.policy.EspProposal;
import dev.isakmpd.core.pki.CertificateIdentities;
import dev.isakmpd.core.policy.Identity;
import dev.isakmpd.core.policy.IpsecMode;
import dev.isakmpd.core.policy.IkeFragmentation;
import dev.isakmpd.core.policy.NatTraversal;
import dev.isakmpd.core.policy.PeerAuth;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.policy.Phase1Proposal;
import dev.isakmpd.core.policy.ProposalNames;
import dev.isakmpd.core.policy.RemoteAccess;
import dev.isakmpd.core.policy.Subnet;
import dev.isakmpd.core.policy.TunnelPolicy;
import dev.isakmpd.core.registry.IkeAttributes;
import dev.isakmpd.daemon.Endpoints;
import dev.isakmpd.daemon.config.Section.Value;
import dev.isakmpd.oakley.DhGroup;
import dev.isakmpd.oakley.IkeCrypto;
import dev.isakmpd.oakley.SecretBytes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;

/**
 * Reads the TOML configuration into policy objects, strictly: unknown keys, wrong types and
 * inconsistent settings are errors, all reported together, each with file, line and key.
 * The format is documented in conf/isakmpd.toml.
 */
public final class ConfigLoader {
    /** Where the daemon looks when no --config is given, as packaged. */
    public static final Path DEFAULT_PATH = Path.of("/etc/isakmpd/isakmpd.toml");
    static final Duration DEFAULT_IKE_LIFETIME = Duration.ofHours(3);
    /** Half-open exchanges cost about a kilobyte each: a million is a gigabyte, more is a typo. */
    static final int MAX_HALF_OPEN = 1_000_000;
    static final Duration DEFAULT_ESP_LIFETIME = Duration.ofHours(1);
    static final Duration DEFAULT_DPD_TIMEOUT = Duration.ofSeconds(150);
    private static final int IKE_PORT = 500;
    /** Peer and tunnel names appear as single words in logs and the status file. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    /** A line that assigns a psk, also inside an inline table: the parser's error text could quote it. */
    private static final Pattern SECRET_LINE = Pattern.compile(".*\\bpsk[\"']?\\s*=.*");

    private final Problems problems;
    private final Path baseDir;
    /** The file being read, if the text came from one: an inline psk there must not be world-readable. */
    private final Optional<Path> file;
    /** daemon.allow-legacy-crypto: read before the peers, whose proposals it governs. */
    private boolean allowLegacy;
    /** daemon.nat-t-port, which every peer's NAT traversal settings carry. */
    private int natPort = NatTraversal.PORT;
    /** daemon.allow-esp-null: whether esp proposals may name the NULL cipher (RFC 2410, integrity only). */
    private boolean allowEspNull;
    /** daemon.crypto: read before the peers, whose private keys sign with it. */
    private CryptoChoice crypto;
    private IkeCrypto signing;
    private final Map<String, Path> pskFiles = new LinkedHashMap<>();
    private final Map<String, RestartPolicy> restart = new LinkedHashMap<>();
    private final List<PlacedTunnel> placedTunnels = new ArrayList<>();
    private static final Pattern OCTAL_MODE = Pattern.compile("0?[0-7]{3}");

    private ConfigLoader(String source, Path baseDir, Optional<Path> file) {
        this.problems = new Problems(source);
        this.baseDir = baseDir;
        this.file = file;
    }

    /** Loads a file; relative paths inside it (psk-file, status-file) are taken from its directory. */
    public static DaemonConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot read: " + IoErrors.reason(e)));
        }
        return new ConfigLoader(file.toString(), file.toAbsolutePath().getParent(), Optional.of(file))
                .read(text, file.toString());
    }

    /** Parses configuration text; {@code source} names it in messages. */
    public static DaemonConfig parse(String text, String source, Path baseDir) throws ConfigException {
        return new ConfigLoader(source, baseDir, Optional.empty()).read(text, source);
    }

    private DaemonConfig read(String text, String source) throws ConfigException {
        TomlParseResult toml = Toml.parse(text);
        if (toml.hasErrors()) {
            String[] lines = text.split("\n", -1);
            for (TomlParseError e : toml.errors()) {
                int line = e.position().line();
                problems.syntax(e, line >= 1 && line <= lines.length && SECRET_LINE.matcher(lines[line - 1]).matches());
            }
            throw new ConfigException(problems.errors());
        }
        Section root = new Section(toml, new Location(List.of(), Location.NO_INDEX, 1), problems);
        root.allowOnly(Set.of("daemon", "peers", "ha"));

        List<InetSocketAddress> listen = List.of();
        boolean listenValid = false;
        KernelType kernel = KernelType.AUTO;
        Optional<Path> statusFile = Optional.empty();
        HalfOpenLimits halfOpen = HalfOpenLimits.DEFAULT;
        int receiveBuffer = DaemonConfig.DEFAULT_RECEIVE_BUFFER;
        natPort = NatTraversal.PORT;
        Optional<InetSocketAddress> metrics = Optional.empty();
        Optional<ControlSocket> control = Optional.empty();
        RetransmitPolicy retransmit = RetransmitPolicy.DEFAULT;
        int cryptoThreads = DaemonConfig.defaultCryptoThreads();
        Optional<Section> daemon = root.table("daemon");
        if (daemon.isEmpty()) {
            problems.error(root.at().child("daemon", 1), "missing table [daemon]");
        } else {
            Section d = daemon.get();
            d.allowOnly(Set.of("listen", "kernel", "status-file", "allow-legacy-crypto", "half-open-per-address",
                    "half-open-total", "control-socket", "control-mode", "control-group", "retransmit-timeout",
                    "retransmit-timeout-max", "retransmit-tries", "receive-buffer", "nat-t-port", "allow-esp-null",
                    "metrics", "crypto", "crypto-threads"));
            int errorsBefore = problems.errorCount();
            listen = listen(d);
            // Without a valid listen list, "local is not among listen" would only repeat the error.
            listenValid = problems.errorCount() == errorsBefore;
            kernel = kernel(d);
            statusFile = d.string("status-file").map(v -> baseDir.resolve(v.value()));
            allowLegacy = d.bool("allow-legacy-crypto").map(Value::value).orElse(false);
            allowEspNull = d.bool("allow-esp-null").map(Value::value).orElse(false);
            halfOpen = halfOpen(d);
            receiveBuffer = receiveBuffer(d);
            natPort = natPort(d);
            metrics = metrics(d);
            control = control(d);
            retransmit = retransmit(d);
            crypto = readCrypto(d);
            cryptoThreads = cryptoThreads(d);
        }

        Map<String, Section> peerSections = root.tables("peers");
        if (peerSections.isEmpty() && !root.has("peers")) {
            problems.warn(root.at(), "no [peers.NAME] table: this daemon will negotiate with no one");
        }
        List<PeerPolicy> peers = new ArrayList<>();
        Map<InetSocketAddress, String> remotes = new HashMap<>();
        for (Section p : peerSections.values()) {
            peer(p, listen, listenValid, remotes).ifPresent(peers::add);
        }
        Optional<HaSettings> ha = root.table("ha").flatMap(h -> new HaConfigReader(problems, baseDir).read(h));
        if (problems.errorCount() > 0) {
            peers.forEach(p -> wipe(p.auth()));
            ha.ifPresent(h -> h.key().wipe());
            throw new ConfigException(problems.errors());
        }
        return new DaemonConfig(source, listen, kernel, statusFile, allowLegacy, peers, pskFiles,
                problems.warnings(), control, retransmit, restart, halfOpen, receiveBuffer, natPort, metrics,
                cryptoChoice(), ha, cryptoThreads);
    }

    /**
     * metrics: "off" (the default) or where the Prometheus endpoint listens, "ADDRESS[:PORT]". It
     * has no authentication: an address other than loopback is warned about.
     */
    private Optional<InetSocketAddress> metrics(Section d) {
        Optional<Value<String>> v = d.string("metrics");
        if (v.isEmpty() || v.get().value().equals("off")) {
            return Optional.empty();
        }
        Optional<InetSocketAddress> at = parse(v.get(),
                t -> Addresses.parseEndpoint(t, DaemonConfig.DEFAULT_METRICS_PORT));
        at.filter(a -> !a.getAddress().isLoopbackAddress()).ifPresent(a -> problems.warn(v.get().at(),
                "serves metrics to the network on " + Endpoints.format(a) + ", without authentication "
                        + "(\"127.0.0.1:" + DaemonConfig.DEFAULT_METRICS_PORT + "\" keeps them on this host)"));
        return at;
    }

    /**
     * daemon.crypto: "auto" (the default: ACCP where it loads and passes its self-test, Bouncy
     * Castle otherwise), "bouncycastle", or "accp" (an error where ACCP cannot be used).
     */
    private CryptoChoice readCrypto(Section d) {
        Optional<Value<String>> v = d.string("crypto");
        CryptoChoice.Mode mode = CryptoChoice.Mode.AUTO;
        if (v.isPresent()) {
            Optional<CryptoChoice.Mode> m = CryptoChoice.Mode.byConfigName(v.get().value());
            if (m.isEmpty()) {
                problems.error(v.get().at(), "unknown crypto '" + v.get().value()
                        + "' (known: auto, bouncycastle, accp)");
                return null;
            }
            mode = m.get();
        }
        try {
            return CryptoChoice.resolve(mode, IkeCrypto.accpProblem());
        } catch (IllegalArgumentException e) {
            problems.error(v.get().at(), e.getMessage());
            return null;
        }
    }

    /** The resolved daemon.crypto; "auto" where the key (or [daemon]) is missing or wrong. */
    private CryptoChoice cryptoChoice() {
        if (crypto == null) {
            crypto = CryptoChoice.resolve(CryptoChoice.Mode.AUTO, IkeCrypto.accpProblem());
        }
        return crypto;
    }

    /** The crypto our private keys sign with: the daemon's, so that check tries what run will use. */
    private IkeCrypto signing() {
        if (signing == null) {
            signing = cryptoChoice().create(new SecureRandom(), allowLegacy);
        }
        return signing;
    }

    /** receive-buffer: bytes, 64 KiB to 256 MiB (the kernel grants at most net.core.rmem_max). */
    private int receiveBuffer(Section d) {
        Optional<Value<Long>> v = d.integer("receive-buffer");
        if (v.isEmpty()) {
            return DaemonConfig.DEFAULT_RECEIVE_BUFFER;
        }
        if (v.get().value() < (64 << 10) || v.get().value() > (256 << 20)) {
            problems.error(v.get().at(), "must be between 65536 and 268435456 bytes, got " + v.get().value());
            return DaemonConfig.DEFAULT_RECEIVE_BUFFER;
        }
        return v.get().value().intValue();
    }

    /** daemon.crypto-threads: 0 (Diffie-Hellman on the event loop) to {@link DaemonConfig#MAX_CRYPTO_THREADS}. */
    private int cryptoThreads(Section d) {
        Optional<Value<Long>> v = d.integer("crypto-threads");
        if (v.isEmpty()) {
            return DaemonConfig.defaultCryptoThreads();
        }
        if (v.get().value() < 0 || v.get().value() > DaemonConfig.MAX_CRYPTO_THREADS) {
            problems.error(v.get().at(), "must be between 0 and " + DaemonConfig.MAX_CRYPTO_THREADS + ", got "
                    + v.get().value());
            return DaemonConfig.defaultCryptoThreads();
        }
        return v.get().value().intValue();
    }

    /** daemon.nat-t-port: 4500 (RFC 3947 s4); another only where both sides agree, as in tests. */
    private int natPort(Section d) {
        Optional<Value<Long>> v = d.integer("nat-t-port");
        if (v.isEmpty()) {
            return NatTraversal.PORT;
        }
        if (v.get().value() < 1 || v.get().value() > 65535 || v.get().value() == IKE_PORT) {
            problems.error(v.get().at(), "must be a UDP port other than 500, got " + v.get().value());
            return NatTraversal.PORT;
        }
        return v.get().value().intValue();
    }

    /** nat-traversal (default true), nat-keepalive (default 20 s) and force-encaps of one peer (RFC 3947, 3948). */
    private NatTraversal natTraversal(Section p) {
        boolean enabled = p.bool("nat-traversal").map(Value::value).orElse(true);
        boolean force = p.bool("force-encaps").map(Value::value).orElse(false);
        Optional<Value<Duration>> keepalive = p.duration("nat-keepalive");
        if (!enabled && force) {
            problems.error(p.at("force-encaps"), "has no effect with nat-traversal = false");
        }
        if (keepalive.isPresent() && (keepalive.get().value().isZero() || keepalive.get().value().isNegative())) {
            problems.error(keepalive.get().at(), "must be positive");
            keepalive = Optional.empty();
        }
        return new NatTraversal(enabled, keepalive.map(Value::value).orElse(NatTraversal.DEFAULT_KEEPALIVE), force,
                natPort);
    }

    /**
     * fragmentation (default true: offer IKE fragmentation and fragment once the peer takes it) and
     * fragment-size (the largest UDP payload of one of our datagrams; default 548 towards IPv4,
     * 1232 towards IPv6).
     */
    private IkeFragmentation fragmentation(Section p) {
        boolean enabled = p.bool("fragmentation").map(Value::value).orElse(true);
        Optional<Value<Long>> size = p.integer("fragment-size");
        if (size.isEmpty()) {
            return new IkeFragmentation(enabled, OptionalInt.empty());
        }
        long n = size.get().value();
        if (!enabled) {
            problems.error(size.get().at(), "has no effect with fragmentation = false");
        } else if (n < IkeFragmentation.MIN_SIZE || n > IkeFragmentation.MAX_SIZE) {
            problems.error(size.get().at(), n + " is outside " + IkeFragmentation.MIN_SIZE + ".."
                    + IkeFragmentation.MAX_SIZE + " (octets of UDP payload)");
        } else {
            return new IkeFragmentation(true, OptionalInt.of((int) n));
        }
        return new IkeFragmentation(enabled, OptionalInt.empty());
    }

    /** How many responder Main Modes may wait for the initiator: per source address, and in all. */
    private HalfOpenLimits halfOpen(Section d) {
        int perAddress = count(d, "half-open-per-address", HalfOpenLimits.DEFAULT.perAddress());
        int total = count(d, "half-open-total", HalfOpenLimits.DEFAULT.total());
        if (total < perAddress) {
            problems.error(d.has("half-open-total") ? d.at("half-open-total") : d.at("half-open-per-address"),
                    "half-open-total (" + total + ") must be at least half-open-per-address (" + perAddress + ")");
            return HalfOpenLimits.DEFAULT;
        }
        return new HalfOpenLimits(perAddress, total);
    }

    private int count(Section d, String key, int otherwise) {
        Optional<Value<Long>> v = d.integer(key);
        if (v.isPresent() && (v.get().value() < 1 || v.get().value() > MAX_HALF_OPEN)) {
            problems.error(v.get().at(), "must be between 1 and " + MAX_HALF_OPEN + ", got " + v.get().value());
            return otherwise;
        }
        return v.map(x -> x.value().intValue()).orElse(otherwise);
    }

    /** control-socket (a path, or "off"), control-mode (octal, as chmod takes it) and control-group. */
    private Optional<ControlSocket> control(Section d) {
        Optional<Value<String>> path = d.string("control-socket");
        Optional<Value<String>> mode = d.string("control-mode");
        Optional<Value<String>> group = d.string("control-group");
        if (path.isPresent() && path.get().value().equals("off")) {
            mode.or(() -> group).ifPresent(v -> problems.error(v.at(), "has no effect with control-socket = \"off\""));
            return Optional.empty();
        }
        if (path.isPresent() && path.get().value().isBlank()) {
            problems.error(path.get().at(), "must be a path, or \"off\"");
            return Optional.empty();
        }
        Set<PosixFilePermission> perms = permissions(ControlSocket.DEFAULT_MODE);
        if (mode.isPresent()) {
            String m = mode.get().value();
            if (!OCTAL_MODE.matcher(m).matches()) {
                problems.error(mode.get().at(), "expected an octal mode such as \"0660\", got '" + m + "'");
            } else {
                perms = permissions(m);
            }
        }
        if (group.isPresent() && !NAME.matcher(group.get().value()).matches()) {
            problems.error(group.get().at(), "expected a group name, got '" + group.get().value() + "'");
        }
        Path p = path.map(v -> baseDir.resolve(v.value())).orElse(ControlSocket.DEFAULT_PATH);
        return Optional.of(new ControlSocket(p, perms, group.map(Value::value)));
    }

    private static Set<PosixFilePermission> permissions(String octal) {
        int bits = Integer.parseInt(octal, 8);
        StringBuilder rwx = new StringBuilder();
        for (int shift = 6; shift >= 0; shift -= 3) {
            rwx.append((bits >> (shift + 2) & 1) == 1 ? 'r' : '-').append((bits >> (shift + 1) & 1) == 1 ? 'w' : '-')
                    .append((bits >> shift & 1) == 1 ? 'x' : '-');
        }
        return PosixFilePermissions.fromString(rwx.toString());
    }

    /** retransmit-timeout (first wait), retransmit-timeout-max (cap of the doubling), retransmit-tries. */
    private RetransmitPolicy retransmit(Section d) {
        RetransmitPolicy def = RetransmitPolicy.DEFAULT;
        Duration initial = d.duration("retransmit-timeout").map(Value::value).orElse(def.initial());
        Optional<Value<Duration>> maxValue = d.duration("retransmit-timeout-max");
        Duration max = maxValue.map(Value::value).orElse(def.max().compareTo(initial) < 0 ? initial : def.max());
        if (max.compareTo(initial) < 0) {
            problems.error(maxValue.get().at(), "must not be shorter than retransmit-timeout");
        }
        int tries = def.retries();
        Optional<Value<Long>> t = d.integer("retransmit-tries");
        if (t.isPresent()) {
            if (t.get().value() < 0 || t.get().value() > 20) {
                problems.error(t.get().at(), "must be between 0 and 20");
            } else {
                tries = t.get().value().intValue();
            }
        }
        return new RetransmitPolicy(initial, max, tries);
    }

    /** keying-tries, keying-retry-delay(-max), close-action and dpd-action of one peer. */
    private RestartPolicy restartPolicy(Section p) {
        RestartPolicy def = RestartPolicy.DEFAULT;
        int tries = def.keyingTries();
        Optional<Value<Object>> t = p.any("keying-tries");
        if (t.isPresent()) {
            Object v = t.get().value();
            if (v instanceof String s && s.equals("forever")) {
                tries = 0;
            } else if (v instanceof Long n && n >= 1 && n <= 1000) {
                tries = n.intValue();
            } else {
                problems.error(t.get().at(), "expected a number of attempts (1 to 1000) or \"forever\"");
            }
        }
        Duration delay = p.duration("keying-retry-delay").map(Value::value).orElse(def.retryDelay());
        Optional<Value<Duration>> maxValue = p.duration("keying-retry-delay-max");
        Duration max = maxValue.map(Value::value)
                .orElse(def.retryDelayMax().compareTo(delay) < 0 ? delay : def.retryDelayMax());
        if (max.compareTo(delay) < 0) {
            problems.error(maxValue.get().at(), "must not be shorter than keying-retry-delay");
        }
        return new RestartPolicy(tries, delay, max, onLoss(p, "close-action"), onLoss(p, "dpd-action"));
    }

    private RestartPolicy.OnLoss onLoss(Section p, String key) {
        Optional<Value<String>> v = p.string(key);
        if (v.isEmpty()) {
            return RestartPolicy.OnLoss.RESTART;
        }
        return switch (v.get().value()) {
            case "restart" -> RestartPolicy.OnLoss.RESTART;
            case "hold" -> RestartPolicy.OnLoss.HOLD;
            case "clear" -> RestartPolicy.OnLoss.CLEAR;
            default -> {
                problems.error(v.get().at(), "unknown value '" + v.get().value() + "' (known: restart, hold, clear)");
                yield RestartPolicy.OnLoss.RESTART;
            }
        };
    }

    private List<InetSocketAddress> listen(Section d) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (Value<String> v : d.strings("listen", true)) {
            parse(v, ConfigLoader::endpoint).ifPresent(a -> {
                if (out.contains(a)) {
                    problems.error(v.at(), "duplicate endpoint " + Endpoints.format(a));
                } else {
                    out.add(a);
                }
            });
        }
        return out;
    }

    private KernelType kernel(Section d) {
        Optional<Value<String>> v = d.string("kernel");
        if (v.isEmpty()) {
            return KernelType.AUTO;
        }
        for (KernelType k : KernelType.values()) {
            if (k.configName().equals(v.get().value())) {
                return k;
            }
        }
        problems.error(v.get().at(), "unknown kernel '" + v.get().value() + "' (known: auto, memory, pfkey, xfrm)");
        return KernelType.AUTO;
    }

    private Optional<PeerPolicy> peer(Section p, List<InetSocketAddress> listen, boolean listenValid,
            Map<InetSocketAddress, String> remotes) {
        int errorsBefore = problems.errorCount();
        p.allowOnly(Set.of("local", "remote", "auth", "psk", "psk-file", "certificate", "private-key",
                "private-key-passphrase-file", "ca", "crl", "send-cert", "peer-certificate", "local-id", "remote-id",
                "aggressive",
                "aggressive-exposes-psk", "ike", "ike-lifetime", "auto", "dpd-delay", "dpd-timeout", "tunnels",
                "keying-tries", "keying-retry-delay", "keying-retry-delay-max", "close-action", "dpd-action",
                "nat-traversal", "nat-keepalive", "force-encaps", "fragmentation", "fragment-size", "xauth",
                "xauth-users", "xauth-retries", "xauth-user", "xauth-password-file", "pool", "dns", "dns-domain",
                "split-include", "modecfg-push", "modecfg-pull"));
        checkName(p);
        Optional<Value<String>> localText = p.requiredString("local");
        Optional<InetSocketAddress> local = localText.flatMap(v -> parse(v, ConfigLoader::endpoint));
        if (local.isPresent() && listenValid && !listen.contains(local.get())) {
            problems.error(localText.get().at(), Endpoints.format(local.get()) + " is not among daemon.listen");
        }
        Optional<Value<String>> remoteText = p.requiredString("remote");
        Optional<Subnet> range = remoteText.flatMap(v -> remoteRange(v, local));
        Optional<InetSocketAddress> remote = range.isPresent()
                ? Optional.of(new InetSocketAddress(range.get().network(), IKE_PORT))
                : remoteText.flatMap(v -> parse(v, ConfigLoader::endpoint));
        if (remote.isPresent() && range.isEmpty()) {
            String other = remotes.putIfAbsent(remote.get(), p.name());
            if (other != null) {
                // Main Mode picks the pre-shared key by address, before any identity is seen.
                problems.error(remoteText.get().at(),
                        Endpoints.format(remote.get()) + " is already the remote of peer " + other);
            }
        }
        if (local.isPresent() && remote.isPresent()
                && local.get().getAddress().getClass() != remote.get().getAddress().getClass()) {
            problems.error(remoteText.get().at(), "local and remote must both be IPv4 or both IPv6");
        }
        Optional<PeerAuth> auth = auth(p, range.isPresent());
        List<Phase1Proposal> ike = new ArrayList<>();
        for (Value<String> v : p.strings("ike", true)) {
            parse(v, s -> ProposalNames.parseIke(s, allowLegacy)).ifPresent(ike::add);
        }
        Duration ikeLifetime = p.duration("ike-lifetime").map(Value::value).orElse(DEFAULT_IKE_LIFETIME);
        boolean autoStart = autoStart(p);
        if (autoStart && range.isPresent()) {
            problems.error(p.at("auto"), "auto = \"start\" needs a remote address to initiate to, not "
                    + remoteText.get().value());
        }
        Optional<DeadPeerDetection> dpd = dpd(p);
        boolean aggressive = aggressive(p, auth, ike);
        NatTraversal nat = natTraversal(p);
        IkeFragmentation fragmentation = fragmentation(p);
        RemoteAccess remoteAccess = remoteAccess(p);
        if (auth.isPresent() && auth.get() instanceof PeerAuth.Hybrid
                && !p.string("xauth").map(Value::value).orElse("off").equals("server")) {
            problems.error(p.at("auth"), "auth = \"hybrid\" needs xauth = \"server\" (or \"client\"): the client "
                    + "proves nothing in phase 1, XAUTH is its only authentication "
                    + "(draft-ietf-ipsec-isakmp-hybrid-auth-05 s4)");
        }
        Optional<Identity> localId = p.string("local-id").flatMap(v -> parse(v, Identity::parse));
        Optional<Identity> remoteId = p.string("remote-id").filter(v -> !v.value().equals("%any"))
                .flatMap(v -> parse(v, Identity::parse));
        restart.put(p.name(), restartPolicy(p));
        List<TunnelPolicy> tunnels = new ArrayList<>();
        for (Section t : p.tables("tunnels").values()) {
            tunnel(t, local, remote, range).ifPresent(tunnel -> {
                tunnels.add(tunnel);
                warnIfOverlapping(p.name(), tunnel, t.at());
            });
        }
        if (problems.errorCount() > errorsBefore) {
            auth.ifPresent(ConfigLoader::wipe);
            return Optional.empty();
        }
        Identity ourId = localId.orElseGet(() -> PeerPolicy.defaultLocalId(auth.get(), local.get()));
        PeerAuth ourAuth = auth.get() instanceof PeerAuth.Hybrid h ? h.gateway() : auth.get();
        if (ourAuth instanceof PeerAuth.Signatures sig
                && !CertificateIdentities.vouchesFor(sig.chain().get(0), ourId)) {
            problems.error(p.at("local-id"), "local-id '" + ourId + "' is not in our certificate '"
                    + sig.chain().get(0).getSubjectX500Principal() + "' (it names: "
                    + CertificateIdentities.all(sig.chain().get(0)) + ")");
            return Optional.empty();
        }
        return Optional.of(new PeerPolicy(p.name(), local.orElseThrow(), remote.orElseThrow(), auth.get(), ike,
                ikeLifetime, tunnels, autoStart, dpd, ourId, remoteId, range, aggressive, nat, fragmentation,
                remoteAccess));
    }

    /**
     * XAUTH and Mode-Config of one peer: xauth = "server" (with xauth-users, xauth-retries) or
     * "client" (xauth-user, xauth-password-file, modecfg-pull); pool, dns, dns-domain,
     * split-include and modecfg-push for the gateway's Mode-Config.
     */
    private RemoteAccess remoteAccess(Section p) {
        Optional<Value<String>> role = p.string("xauth");
        Optional<RemoteAccess.XauthServer> server = Optional.empty();
        Optional<RemoteAccess.XauthClient> client = Optional.empty();
        String r = role.map(Value::value).orElse("off");
        if (!r.equals("server")) {
            for (String k : List.of("xauth-users", "xauth-retries")) {
                if (p.has(k)) {
                    problems.error(p.at(k), "needs xauth = \"server\"");
                }
            }
        }
        if (!r.equals("client")) {
            for (String k : List.of("xauth-user", "xauth-password-file", "modecfg-pull")) {
                if (p.has(k)) {
                    problems.error(p.at(k), "needs xauth = \"client\"");
                }
            }
        }
        switch (r) {
            case "server" -> {
                Optional<Value<String>> file = p.string("xauth-users");
                if (file.isEmpty()) {
                    problems.error(p.at("xauth"), "xauth = \"server\" needs xauth-users (a file of name:bcrypt-hash)");
                }
                long retries = p.integer("xauth-retries").map(Value::value)
                        .orElse((long) RemoteAccess.XauthServer.DEFAULT_RETRIES);
                if (retries < 1 || retries > 10) {
                    problems.error(p.at("xauth-retries"), "must be between 1 and 10, got " + retries);
                    retries = RemoteAccess.XauthServer.DEFAULT_RETRIES;
                }
                int n = (int) retries;
                server = file.flatMap(f -> XauthUsersReader.read(baseDir.resolve(f.value()), f, problems))
                        .map(u -> new RemoteAccess.XauthServer(u, n));
            }
            case "client" -> {
                Optional<Value<String>> user = p.string("xauth-user");
                Optional<Value<String>> pw = p.string("xauth-password-file");
                if (user.isEmpty() || pw.isEmpty()) {
                    problems.error(p.at("xauth"), "xauth = \"client\" needs xauth-user and xauth-password-file");
                } else {
                    boolean pull = p.bool("modecfg-pull").map(Value::value).orElse(true);
                    client = PskReader.fromFile(baseDir.resolve(pw.get().value()), pw.get(), problems)
                            .map(secret -> new RemoteAccess.XauthClient(user.get().value(), secret, pull));
                }
            }
            case "off" -> {
                // no XAUTH
            }
            default -> problems.error(role.get().at(), "unknown value '" + r + "' (known: server, client)");
        }
        Optional<RemoteAccess.ModeConfig> modeConfig = modeConfig(p);
        if (client.isPresent() && modeConfig.isPresent()) {
            problems.error(p.at("pool"), "a pool is the gateway's; this peer is an XAUTH client");
            return RemoteAccess.NONE;
        }
        return new RemoteAccess(server, modeConfig, client);
    }

    private Optional<RemoteAccess.ModeConfig> modeConfig(Section p) {
        // one pool, or a list of one per family: pool = ["10.3.0.0/24", "2001:db8:3::/112"]
        boolean list = p.any("pool").map(v -> !(v.value() instanceof String)).orElse(false);
        List<Value<String>> poolText = list ? p.strings("pool", false) : p.string("pool").stream().toList();
        if (!p.has("pool")) {
            for (String k : List.of("dns", "dns-domain", "split-include", "modecfg-push")) {
                if (p.has(k)) {
                    problems.error(p.at(k), "is Mode-Config: it needs a pool of addresses (pool = \"10.3.0.0/24\")");
                }
            }
            return Optional.empty();
        }
        List<Subnet> pools = new ArrayList<>();
        for (Value<String> v : poolText) {
            parse(v, Subnet::parse).ifPresent(sn -> {
                String problem = RemoteAccess.ModeConfig.poolProblem(sn);
                if (problem != null) {
                    problems.error(v.at(), problem);
                } else if (pools.stream().anyMatch(o -> o.isIpv4() == sn.isIpv4())) {
                    problems.error(v.at(), "a second " + (sn.isIpv4() ? "IPv4" : "IPv6")
                            + " pool; give one pool of each family at most");
                } else {
                    pools.add(sn);
                }
            });
        }
        List<Value<String>> dnsText = p.strings("dns", false);
        List<Value<String>> splitText = p.strings("split-include", false);
        List<InetAddress> dns = new ArrayList<>();
        for (Value<String> v : dnsText) {
            parse(v, Addresses::parseLiteral).ifPresent(dns::add);
        }
        List<Subnet> split = new ArrayList<>();
        for (Value<String> v : splitText) {
            parse(v, Subnet::parse).ifPresent(split::add);
        }
        Optional<String> domain = p.string("dns-domain").map(Value::value);
        domain.filter(d -> !d.matches("[A-Za-z0-9.-]{1,253}"))
                .ifPresent(d -> problems.error(p.at("dns-domain"), "is not a domain name: '" + d + "'"));
        boolean push = p.bool("modecfg-push").map(Value::value).orElse(false);
        if (pools.isEmpty() || pools.size() != poolText.size() || dns.size() != dnsText.size()
                || split.size() != splitText.size()) {
            return Optional.empty();
        }
        return Optional.of(new RemoteAccess.ModeConfig(pools.get(0), dns, domain, split, push,
                pools.stream().skip(1).findFirst()));
    }

    /**
     * remote = "any" or "198.51.100.0/24": initiators from those addresses (road warriors). A plain
     * address (with an optional port) is not a range: empty.
     */
    private Optional<Subnet> remoteRange(Value<String> v, Optional<InetSocketAddress> local) {
        String text = v.value();
        if (text.equals("any")) {
            boolean v6 = local.map(l -> l.getAddress() instanceof java.net.Inet6Address).orElse(false);
            return Optional.of(Subnet.parse(v6 ? "::/0" : "0.0.0.0/0"));
        }
        return text.contains("/") ? parse(v, Subnet::parse) : Optional.empty();
    }

    /**
     * aggressive = true: Aggressive Mode both ways. AM1 carries its KE, so all proposals must
     * share one group. With a pre-shared key AM2's HASH_R can be cracked offline by anyone who
     * sends one AM1 (ike-scan + psk-crack do it), so a second key must name that risk.
     */
    private boolean aggressive(Section p, Optional<PeerAuth> auth, List<Phase1Proposal> ike) {
        Optional<Value<Boolean>> v = p.bool("aggressive");
        Optional<Value<Boolean>> exposes = p.bool("aggressive-exposes-psk");
        boolean on = v.map(Value::value).orElse(false);
        if (!on) {
            exposes.ifPresent(e -> problems.error(e.at(), "has no effect without aggressive = true"));
            return false;
        }
        if (ike.stream().map(Phase1Proposal::group).distinct().count() > 1) {
            problems.error(p.at("ike"), "with aggressive = true every proposal must use the same group "
                    + "(AM1 carries its key exchange); got " + ike);
        }
        if (auth.isPresent() && auth.get() instanceof PeerAuth.PublicKeyEncryption e && e.revised()
                && ike.stream().map(x -> x.encryption() + "/" + x.keyBits() + "/" + x.hash()).distinct().count() > 1) {
            // RFC 2409 s5.3: AM1's KE and ID are sealed with Ke_i, a key of the cipher and prf to be negotiated
            problems.error(p.at("ike"), "with aggressive = true and revised public key encryption every proposal "
                    + "must use the same cipher and hash (AM1 is encrypted with them); got " + ike);
        }
        if (auth.isPresent() && auth.get() instanceof PeerAuth.PreSharedKey) {
            if (!exposes.map(Value::value).orElse(false)) {
                problems.error(v.get().at(), "Aggressive Mode with a pre-shared key lets anyone who sends one "
                        + "request crack the key offline; to accept that, also set aggressive-exposes-psk = true "
                        + "(or use auth = \"pubkey\")");
            } else {
                problems.warn(v.get().at(), "Aggressive Mode with a pre-shared key: the key can be cracked offline "
                        + "from one exchange; keep it long and random");
            }
        } else {
            exposes.ifPresent(e -> problems.error(e.at(), "is only for pre-shared keys"));
        }
        return true;
    }

    /** auth = "psk" (the default) or "pubkey" (signatures with X.509 certificates). */
    private Optional<PeerAuth> auth(Section p, boolean anyAddress) {
        String kind = p.string("auth").map(Value::value).orElse("psk");
        switch (kind) {
            case "psk" -> {
                for (String k : List.of("certificate", "private-key", "private-key-passphrase-file", "ca", "crl",
                        "send-cert")) {
                    if (p.has(k)) {
                        problems.error(p.at(k), "is for auth = \"pubkey\"; this peer uses a pre-shared key");
                    }
                }
                if (anyAddress && p.has("psk") || anyAddress && p.has("psk-file")) {
                    // RFC 2409 s5.4: Main Mode chooses the key by address, before the ID is known.
                    problems.warn(p.at("remote"), "one pre-shared key for a range of addresses: every client "
                            + "shares it, and any of them can impersonate this gateway to the others; prefer "
                            + "auth = \"pubkey\"");
                }
                return psk(p).map(PeerAuth.PreSharedKey::new);
            }
            case "pubkey" -> {
                for (String k : List.of("psk", "psk-file", "peer-certificate")) {
                    if (p.has(k)) {
                        problems.error(p.at(k), "is not for auth = \"pubkey\" (signatures with certificates)");
                    }
                }
                return new Credentials(baseDir, problems, signing()).load(p).map(PeerAuth.class::cast);
            }
            case "hybrid" -> {
                for (String k : List.of("psk", "psk-file", "peer-certificate")) {
                    if (p.has(k)) {
                        problems.error(p.at(k), "is not for auth = \"hybrid\" (our certificate, the client by XAUTH)");
                    }
                }
                if (p.string("xauth").map(Value::value).orElse("off").equals("client")) {
                    for (String k : List.of("certificate", "private-key", "private-key-passphrase-file", "send-cert")) {
                        if (p.has(k)) {
                            problems.error(p.at(k), "is not for a hybrid client (the gateway signs, we do XAUTH)");
                        }
                    }
                    return new Credentials(baseDir, problems, signing()).loadTrust(p).map(PeerAuth.HybridClient::new);
                }
                Optional<PeerAuth.Signatures> ours = new Credentials(baseDir, problems, signing()).load(p);
                int method = ours.map(s -> s.signer().authMethod()).orElse(IkeAttributes.AUTH_RSA_SIGNATURES);
                if (method != IkeAttributes.AUTH_RSA_SIGNATURES && method != IkeAttributes.AUTH_DSS_SIGNATURES) {
                    // draft-ietf-ipsec-isakmp-hybrid-auth-05 s3.2.1 numbers RSA and DSS variants only
                    problems.error(p.at("private-key"), "auth = \"hybrid\" needs an RSA or DSA key (hybrid "
                            + "authentication has no method for ECDSA)");
                    return Optional.empty();
                }
                return ours.map(PeerAuth.Hybrid::new);
            }
            case "pubkey-encryption", "pubkey-encryption-revised" -> {
                for (String k : List.of("psk", "psk-file", "certificate", "ca", "crl", "send-cert")) {
                    if (p.has(k)) {
                        problems.error(p.at(k), "is not for auth = \"" + kind + "\" (RSA keys known beforehand)");
                    }
                }
                return new Credentials(baseDir, problems, signing()).loadEncryption(p, kind.endsWith("revised"))
                        .map(PeerAuth.class::cast);
            }
            default -> {
                problems.error(p.at("auth"), "unknown value '" + kind + "' (known: psk, pubkey, pubkey-encryption, "
                        + "pubkey-encryption-revised, hybrid)");
                return Optional.empty();
            }
        }
    }

    private static void wipe(PeerAuth auth) {
        if (auth instanceof PeerAuth.PreSharedKey k) {
            k.key().wipe();
        }
    }

    /** dpd-delay turns probing on; dpd-timeout (default 150 s, as strongSwan's) needs it. */
    private Optional<DeadPeerDetection> dpd(Section p) {
        Optional<Value<Duration>> delay = p.duration("dpd-delay");
        Optional<Value<Duration>> timeout = p.duration("dpd-timeout");
        if (delay.isEmpty()) {
            if (timeout.isPresent()) {
                problems.error(timeout.get().at(), "has no effect without dpd-delay");
            }
            return Optional.empty();
        }
        try {
            return Optional.of(new DeadPeerDetection(delay.get().value(),
                    timeout.map(Value::value).orElse(DEFAULT_DPD_TIMEOUT)));
        } catch (IllegalArgumentException e) {
            problems.error(timeout.map(Value::at).orElse(delay.get().at()), e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<SecretBytes> psk(Section p) {
        Optional<Value<String>> inline = p.string("psk");
        Optional<Value<String>> file = p.string("psk-file");
        if (p.has("psk") && p.has("psk-file")) {
            problems.error(p.at("psk-file"), "set either psk or psk-file, not both");
            return Optional.empty();
        }
        if (!p.has("psk") && !p.has("psk-file")) {
            problems.error(p.at(), "missing psk or psk-file");
            return Optional.empty();
        }
        if (inline.isPresent()) {
            return PskReader.inline(inline.get(), this.file, problems);
        }
        if (file.isPresent()) {
            Path path = baseDir.resolve(file.get().value());
            pskFiles.put(p.name(), path);
            return PskReader.fromFile(path, file.get(), problems);
        }
        return Optional.empty();
    }

    private boolean autoStart(Section p) {
        Optional<Value<String>> v = p.string("auto");
        if (v.isEmpty()) {
            return false;
        }
        return switch (v.get().value()) {
            case "start" -> true;
            case "add" -> false;
            default -> {
                problems.error(v.get().at(), "unknown value '" + v.get().value() + "' (known: start, add)");
                yield false;
            }
        };
    }

    private Optional<TunnelPolicy> tunnel(Section t, Optional<InetSocketAddress> localEnd,
            Optional<InetSocketAddress> remoteEnd, Optional<Subnet> range) {
        int errorsBefore = problems.errorCount();
        t.allowOnly(Set.of("local-subnet", "remote-subnet", "esp", "pfs", "lifetime", "mode", "lifetime-kilobytes",
                "ah", "compress", "local-protoport", "remote-protoport"));
        checkName(t);
        IpsecMode mode = mode(t);
        Optional<Subnet> local;
        Optional<Subnet> remote;
        if (mode == IpsecMode.TRANSPORT) {
            local = transportSelector(t, "local-subnet", localEnd);
            remote = range.isPresent() ? roadWarriorTransportSelector(t, range.get())
                    : transportSelector(t, "remote-subnet", remoteEnd);
        } else {
            local = t.requiredString("local-subnet").flatMap(v -> parse(v, Subnet::parse));
            remote = t.requiredString("remote-subnet").flatMap(v -> parse(v, Subnet::parse));
        }
        local = local.flatMap(s -> withProtocolPort(t, "local-protoport", s));
        remote = remote.flatMap(s -> withProtocolPort(t, "remote-protoport", s));
        if (local.isPresent() && remote.isPresent() && local.get().protocol() != 0 && remote.get().protocol() != 0
                && local.get().protocol() != remote.get().protocol()) {
            problems.error(t.at("remote-protoport"), "local-protoport and remote-protoport must name the same "
                    + "protocol (the kernel's selector has one), not " + local.get().protocolPort() + " and "
                    + remote.get().protocolPort());
        }
        if (local.isPresent() && remote.isPresent() && local.get().isIpv4() != remote.get().isIpv4()) {
            problems.error(t.at("remote-subnet"), "local-subnet and remote-subnet must both be IPv4 or both IPv6");
        }
        // ah: AH alone (no esp key) or an AH+ESP bundle (RFC 2408 s4.2)
        List<EspIntegrity> ah = new ArrayList<>();
        Map<Value<String>, Optional<DhGroup>> suffixGroups = new LinkedHashMap<>();
        for (Value<String> v : t.strings("ah", false)) {
            parse(v, s -> ProposalNames.parseAh(s, allowLegacy)).ifPresent(spec -> {
                ah.add(spec.integrity());
                suffixGroups.put(v, spec.pfsGroup());
            });
        }
        boolean compress = t.bool("compress").map(Value::value).orElse(false);
        List<Value<String>> espNames = t.strings("esp", !t.has("ah"));
        List<EspProposal> esp = new ArrayList<>();
        for (Value<String> v : espNames) {
            parse(v, s -> ProposalNames.parseEsp(s, allowLegacy, allowEspNull)).ifPresent(spec -> {
                esp.add(spec.proposal());
                suffixGroups.put(v, spec.pfsGroup());
            });
        }
        Optional<DhGroup> pfs = pfs(t, suffixGroups);
        Duration lifetime = t.duration("lifetime").map(Value::value).orElse(DEFAULT_ESP_LIFETIME);
        long kilobytes = lifeKilobytes(t);
        if (problems.errorCount() > errorsBefore) {
            return Optional.empty();
        }
        return Optional.of(new TunnelPolicy(t.name(), local.orElseThrow(), remote.orElseThrow(), esp, pfs, lifetime,
                mode, kilobytes, ah, compress));
    }

    /** tunnels.NAME.lifetime-kilobytes: the SAs' traffic limit in KiB (RFC 2407 s4.5), 0 or absent for none. */
    private long lifeKilobytes(Section t) {
        Optional<Value<Long>> v = t.integer("lifetime-kilobytes");
        if (v.isPresent() && (v.get().value() < 0 || v.get().value() > 0xffffffffL)) {
            problems.error(v.get().at(), "must be 0 (no limit) to 4294967295 KB, not " + v.get().value());
            return 0;
        }
        return v.map(Value::value).orElse(0L);
    }

    /** tunnels.NAME.mode: "tunnel" (the default) or "transport". */
    private IpsecMode mode(Section t) {
        Optional<Value<String>> v = t.string("mode");
        if (v.isEmpty() || v.get().value().equals("tunnel")) {
            return IpsecMode.TUNNEL;
        }
        if (v.get().value().equals("transport")) {
            return IpsecMode.TRANSPORT;
        }
        problems.error(v.get().at(), "unknown value '" + v.get().value() + "' (known: tunnel, transport)");
        return IpsecMode.TUNNEL;
    }

    /**
     * In transport mode the selectors are the two hosts (RFC 2401 s4.1): local-subnet and
     * remote-subnet may be left out, and if given must name the endpoint's address.
     */
    private Optional<Subnet> transportSelector(Section t, String key, Optional<InetSocketAddress> endpoint) {
        if (endpoint.isEmpty()) {
            problems.error(t.at("mode"), "transport mode needs a peer at one fixed address, whose address is the "
                    + key.replace("-subnet", "") + " selector");
            return Optional.empty();
        }
        Subnet host = Subnet.host(endpoint.get().getAddress());
        Optional<Value<String>> v = t.string(key);
        if (v.isEmpty()) {
            return Optional.of(host);
        }
        Optional<Subnet> given = parse(v.get(), Subnet::parse);
        if (given.isPresent() && !given.get().equals(host)) {
            problems.error(v.get().at(), "in transport mode this must be the endpoint " + host + " (or be left out), not "
                    + given.get());
            return Optional.empty();
        }
        return given;
    }

    /**
     * tunnels.NAME.local-protoport / remote-protoport: the selector's protocol and port, as
     * strongSwan's leftprotoport ("udp/1701", "17/1701", "udp/%any"); absent: any (RFC 2407 s4.6.2).
     */
    private Optional<Subnet> withProtocolPort(Section t, String key, Subnet s) {
        Optional<Value<String>> v = t.string(key);
        if (v.isEmpty()) {
            return Optional.of(s);
        }
        return parse(v.get(), Subnet::parseProtocolPort).map(pp -> s.withProtocolPort(pp[0], pp[1]));
    }

    /**
     * A transport tunnel of a peer accepted from a range (road warriors, e.g. L2TP/IPsec clients):
     * each client's SAs and policy take its own address; the range is the template's remote
     * selector. remote-subnet, if given, must be the range.
     */
    private Optional<Subnet> roadWarriorTransportSelector(Section t, Subnet range) {
        Optional<Value<String>> v = t.string("remote-subnet");
        if (v.isEmpty()) {
            return Optional.of(range);
        }
        Optional<Subnet> given = parse(v.get(), Subnet::parse);
        if (given.isPresent() && !given.get().equals(range)) {
            problems.error(v.get().at(), "in transport mode with clients from " + range + " this must be " + range
                    + " (or be left out; each client's own address is used), not " + given.get());
            return Optional.empty();
        }
        return given;
    }

    private record PlacedTunnel(String peer, TunnelPolicy tunnel, Location at) {
    }

    /**
     * Two tunnels whose selectors overlap put two policies in the kernel's SPD that one packet can
     * match. A tunnel nested inside another (a host within a subnet, both ways) is ranked first
     * (SpdTunnel#priority) and takes its own traffic, as meant. Any other overlap sends the shared
     * traffic through one of them only, silently: legal, rarely meant, so a warning.
     */
    private void warnIfOverlapping(String peer, TunnelPolicy t, Location at) {
        for (PlacedTunnel earlier : placedTunnels) {
            TunnelPolicy e = earlier.tunnel();
            boolean overlap = e.local().isIpv4() == t.local().isIpv4() && e.local().overlaps(t.local())
                    && e.remote().overlaps(t.remote());
            if (overlap && !strictlyInside(t, e) && !strictlyInside(e, t)) {
                problems.warn(at, "its selectors " + t.local() + " === " + t.remote() + " overlap those of tunnel "
                        + e.name() + " of peer " + earlier.peer() + " (line " + earlier.at().line() + ": " + e.local()
                        + " === " + e.remote() + ") and neither lies inside the other: traffic that matches both "
                        + "goes through only one of them");
            }
        }
        placedTunnels.add(new PlacedTunnel(peer, t, at));
    }

    private static boolean strictlyInside(TunnelPolicy inner, TunnelPolicy outer) {
        return outer.local().encloses(inner.local()) && outer.remote().encloses(inner.remote())
                && !(inner.local().equals(outer.local()) && inner.remote().equals(outer.remote()));
    }

    /**
     * The tunnel has one PFS group: from {@code pfs} or from the esp proposals' group suffix. A
     * suffix on some proposals only, two different suffixes, or a suffix that contradicts
     * {@code pfs} would leave the group ambiguous, so each is an error.
     */
    private Optional<DhGroup> pfs(Section t, Map<Value<String>, Optional<DhGroup>> suffixGroups) {
        Optional<Value<String>> setting = t.string("pfs");
        Optional<DhGroup> explicit = Optional.empty();
        boolean explicitNone = setting.isPresent() && setting.get().value().equals("none");
        if (setting.isPresent() && !explicitNone) {
            Optional<DhGroup> g = parse(setting.get(), s -> ProposalNames.group(s, "pfs = " + s, allowLegacy));
            if (g.isEmpty()) {
                return Optional.empty();
            }
            explicit = g;
        }
        Optional<DhGroup> fromSuffix = Optional.empty();
        for (Map.Entry<Value<String>, Optional<DhGroup>> e : suffixGroups.entrySet()) {
            Value<String> v = e.getKey();
            if (e.getValue().isEmpty()) {
                if (suffixGroups.values().stream().anyMatch(Optional::isPresent)) {
                    problems.error(v.at(), "has no PFS group while other esp proposals have one; "
                            + "give all the same suffix or set pfs instead");
                }
                continue;
            }
            DhGroup g = e.getValue().get();
            if (explicitNone) {
                problems.error(v.at(), "group " + g.name() + " conflicts with pfs = \"none\"");
            } else if (explicit.isPresent() && explicit.get().id() != g.id()) {
                problems.error(v.at(), "group " + g.name() + " conflicts with pfs = \"" + explicit.get().name() + "\"");
            } else if (fromSuffix.isPresent() && fromSuffix.get().id() != g.id()) {
                problems.error(v.at(), "group " + g.name() + " differs from " + fromSuffix.get().name()
                        + " of an earlier proposal; a tunnel has one PFS group");
            } else {
                fromSuffix = Optional.of(g);
            }
        }
        return explicit.isPresent() ? explicit : fromSuffix;
    }

    private void checkName(Section s) {
        if (!NAME.matcher(s.name()).matches()) {
            problems.error(s.at(), "name must consist of letters, digits, '.', '_' and '-'");
        }
    }

    /** Applies a core parser and turns its IllegalArgumentException into an error at the value. */
    private <T> Optional<T> parse(Value<String> v, Function<String, T> parser) {
        try {
            return Optional.of(parser.apply(v.value()));
        } catch (IllegalArgumentException e) {
            problems.error(v.at(), e.getMessage());
            return Optional.empty();
        }
    }

    private static InetSocketAddress endpoint(String text) {
        return Addresses.parseEndpoint(text, IKE_PORT);
    }
}
