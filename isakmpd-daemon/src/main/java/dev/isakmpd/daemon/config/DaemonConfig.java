package dev.isakmpd.daemon.config;

import dev.isakmpd.core.exchange.HalfOpenLimits;
import dev.isakmpd.core.exchange.RetransmitPolicy;
import dev.isakmpd.core.policy.PeerPolicy;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A validated configuration file.
 *
 * @param source where it came from, for messages ("conf/a.toml")
 * @param allowLegacyCrypto daemon.allow-legacy-crypto: whether DES and the EC2N groups may be
 *        configured and chosen by a peer
 * @param pskFiles the psk-file of each peer that has one, so that {@code check} can say where a
 *        secret comes from without showing it
 * @param warnings problems that do not stop the daemon (a world-readable psk-file, no peers)
 * @param control the control socket, unless daemon.control-socket = "off"
 * @param retransmit when Main Mode and Quick Mode messages are resent, and when they give up
 * @param restart each peer's keying tries and close and DPD actions, by peer name
 * @param halfOpen daemon.half-open-per-address and daemon.half-open-total
 * @param receiveBuffer daemon.receive-buffer: bytes of kernel receive buffer per UDP socket
 * @param natPort daemon.nat-t-port: the NAT-T port (RFC 3947 s4), 4500
 * @param metrics daemon.metrics: where the Prometheus endpoint listens, unless "off" (the default)
 * @param crypto daemon.crypto: Bouncy Castle or ACCP, as resolved on this machine
 * @param ha the [ha] table, unless absent or mode = "off"
 * @param cryptoThreads daemon.crypto-threads: threads that compute Diffie-Hellman beside the
 *        event loop ({@code runtime.DhWorkers}); 0 computes it on the loop
 */
public record DaemonConfig(String source, List<InetSocketAddress> listen, KernelType kernel,
        Optional<Path> statusFile, boolean allowLegacyCrypto, List<PeerPolicy> peers, Map<String, Path> pskFiles,
        List<String> warnings, Optional<ControlSocket> control, RetransmitPolicy retransmit,
        Map<String, RestartPolicy> restart, HalfOpenLimits halfOpen, int receiveBuffer, int natPort,
        Optional<InetSocketAddress> metrics, CryptoChoice crypto, Optional<HaSettings> ha,
        int cryptoThreads) {
    /** Room for a few thousand IKE messages in a burst (2000 Deletes when a load generator stops). */
    public static final int DEFAULT_RECEIVE_BUFFER = 4 << 20;
    /** The metrics endpoint's port when daemon.metrics names only an address. */
    public static final int DEFAULT_METRICS_PORT = 9477;
    /** The most daemon.crypto-threads: more than the cores only adds switching. */
    public static final int MAX_CRYPTO_THREADS = 64;

    /** daemon.crypto-threads when absent: every core but the event loop's, at most 8. */
    public static int defaultCryptoThreads() {
        return Math.min(8, Runtime.getRuntime().availableProcessors() - 1);
    }

    public DaemonConfig {
        listen = List.copyOf(listen);
        peers = List.copyOf(peers);
        pskFiles = Map.copyOf(pskFiles);
        warnings = List.copyOf(warnings);
        restart = Map.copyOf(restart);
    }

    /** The same configuration with other peer policies (tests that need a policy no file can express). */
    public DaemonConfig withPeers(List<PeerPolicy> other) {
        return new DaemonConfig(source, listen, kernel, statusFile, allowLegacyCrypto, other, pskFiles, warnings,
                control, retransmit, restart, halfOpen, receiveBuffer, natPort, metrics, crypto, ha, cryptoThreads);
    }

    /**
     * The UDP endpoints to bind: {@code listen}, and beside each endpoint on port 500 the same
     * address on the NAT-T port, where a peer behind a NAT moves to (RFC 3947 s4).
     */
    public List<InetSocketAddress> sockets() {
        List<InetSocketAddress> all = new java.util.ArrayList<>(listen);
        for (InetSocketAddress e : listen) {
            InetSocketAddress nat = new InetSocketAddress(e.getAddress(), natPort);
            if (e.getPort() == 500 && !all.contains(nat)) {
                all.add(nat);
            }
        }
        return all;
    }

    /** Whether a socket is a NAT-T one: ISAKMP behind the non-ESP marker, and ESP in UDP for the kernel. */
    public boolean isNatTraversal(InetSocketAddress socket) {
        return socket.getPort() == natPort;
    }

    public RestartPolicy restartPolicy(String peer) {
        return restart.getOrDefault(peer, RestartPolicy.DEFAULT);
    }

    public Optional<PeerPolicy> peer(String name) {
        return peers.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** The configured peer at {@code remote}, if any (remote addresses are unique). */
    public Optional<PeerPolicy> peerAt(InetSocketAddress remote) {
        return peers.stream().filter(p -> p.remote().equals(remote)).findFirst();
    }
}
