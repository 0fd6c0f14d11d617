package dev.isakmpd.core.exchange;

import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.wire.WireFuzzer;
import dev.isakmpd.oakley.IkeCrypto;
import java.net.InetSocketAddress;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * Two engines joined by a lossy network under a virtual clock: datagrams are dropped, duplicated
 * and delayed by random amounts (so they overtake each other), all from one seed, so every run
 * of a scenario is the same.
 */
final class SimulatedNetwork {
    /** @param corrupt probability that a datagram is followed by a mangled copy (WireFuzzer mutations) */
    record Faults(double drop, double duplicate, Duration maxDelay, double corrupt) {
        static final Faults NONE = new Faults(0, 0, Duration.ofMillis(1));

        Faults(double drop, double duplicate, Duration maxDelay) {
            this(drop, duplicate, maxDelay, 0);
        }
    }

    /** One side: an engine, its kernel table and everything it logged. */
    static final class Node {
        final String name;
        final InetSocketAddress address;
        final Engine engine;
        final InMemoryKernel kernel;
        final List<String> log = new ArrayList<>();
        int sent;

        Node(String name, InetSocketAddress address, List<PeerPolicy> peers, long seed) {
            this(name, address, peers, seed, false);
        }

        /** {@code allowLegacy}: the engine's crypto accepts DES and the EC2N groups. */
        Node(String name, InetSocketAddress address, List<PeerPolicy> peers, long seed, boolean allowLegacy) {
            this.name = name;
            this.address = address;
            this.kernel = new InMemoryKernel(new Random(seed));
            this.engine = new Engine(peers, IkeCrypto.bouncyCastle(seededRandom(seed), allowLegacy), kernel,
                    RetransmitPolicy.DEFAULT);
        }

        boolean logged(String fragment) {
            return log.stream().anyMatch(l -> l.contains(fragment));
        }
    }

    private record InFlight(Instant at, long order, Datagram datagram) {
    }

    private final Random random;
    private final Faults faults;
    private final PriorityQueue<InFlight> wire = new PriorityQueue<>(
            (a, b) -> a.at.equals(b.at) ? Long.compare(a.order, b.order) : a.at.compareTo(b.at));
    private final List<Node> nodes = new ArrayList<>();
    /** Every datagram handed to an engine, as it arrived (seeds for fuzzing). */
    final List<Datagram> delivered = new ArrayList<>();
    private long order;
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    SimulatedNetwork(long seed, Faults faults) {
        this.random = new Random(seed);
        this.faults = faults;
    }

    Node add(Node n) {
        nodes.add(n);
        return n;
    }

    /** {@code old} crashes and {@code fresh}, at the same address, takes its place with no state. */
    Node replace(Node old, Node fresh) {
        nodes.set(nodes.indexOf(old), fresh);
        return fresh;
    }

    void apply(Node from, List<Action> actions) {
        for (Action a : actions) {
            try {
                if (a instanceof Action.Send s) {
                    transmit(from, s.datagram());
                } else if (a instanceof Action.InstallSa i) {
                    from.kernel.install(i.sa());
                } else if (a instanceof Action.DeleteSa d) {
                    from.kernel.delete(d.sa().destination(), d.sa().spi());
                } else if (a instanceof Action.Log l) {
                    from.log.add(l.level() + " " + l.message());
                }
            } catch (KernelException e) {
                throw new AssertionError(from.name + ": " + e.getMessage(), e);
            }
        }
    }

    private void transmit(Node from, Datagram d) {
        from.sent++;
        if (random.nextDouble() < faults.drop()) {
            return;
        }
        int copies = random.nextDouble() < faults.duplicate() ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long delay = 1 + (long) (random.nextDouble() * faults.maxDelay().toMillis());
            wire.add(new InFlight(now.plusMillis(delay), order++, d));
        }
        if (random.nextDouble() < faults.corrupt()) {
            byte[] other = delivered.isEmpty() ? d.data() : delivered.get(random.nextInt(delivered.size())).data();
            byte[] mangled = WireFuzzer.mutate(d.data(), other, random);
            wire.add(new InFlight(now.plusMillis(1), order++, new Datagram(d.local(), d.remote(), mangled)));
        }
    }

    /** Runs events in time order until {@code done} holds or {@code limit} of virtual time has passed. */
    boolean runUntil(BooleanSupplier done, Duration limit) {
        Instant end = now.plus(limit);
        while (!done.getAsBoolean()) {
            Instant next = wire.isEmpty() ? null : wire.peek().at();
            for (Node n : nodes) {
                Instant t = n.engine.nextTimeout().orElse(null);
                if (t != null && (next == null || t.isBefore(next))) {
                    next = t;
                }
            }
            if (next == null || next.isAfter(end)) {
                return false;
            }
            now = next.isAfter(now) ? next : now;
            if (!wire.isEmpty() && !wire.peek().at().isAfter(now)) {
                Datagram d = wire.poll().datagram();
                Node to = nodes.stream().filter(n -> n.address.equals(d.remote())).findFirst().orElseThrow();
                Datagram arriving = new Datagram(d.remote(), d.local(), d.data());
                delivered.add(arriving);
                apply(to, to.engine.receive(arriving, now));
            } else {
                for (Node n : nodes) {
                    Instant t = n.engine.nextTimeout().orElse(null);
                    if (t != null && !t.isAfter(now)) {
                        apply(n, n.engine.timeout(now));
                    }
                }
            }
        }
        return true;
    }

    static SecureRandom seededRandom(long seed) {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return r;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
