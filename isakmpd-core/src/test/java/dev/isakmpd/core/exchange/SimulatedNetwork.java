package dev.isakmpd.core.exchange;

import dev.isakmpd.core.kernel.InMemoryKernel;
import dev.isakmpd.core.kernel.SpdTunnel;
import dev.isakmpd.core.kernel.KernelException;
import dev.isakmpd.core.kernel.ReplayState;
import dev.isakmpd.core.policy.PeerPolicy;
import dev.isakmpd.core.wire.WireFuzzer;
import dev.isakmpd.oakley.IkeCrypto;
import dev.isakmpd.core.policy.Addresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Engines joined by a lossy network under a virtual clock: datagrams are dropped, duplicated
 * and delayed by random amounts (so they overtake each other), all from one seed, so every run
 * of a scenario is the same. Nodes are found by address and woken through a deadline queue, so
 * thousands of them cost no more per event than two.
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
        /** Keep only warnings and errors (a scale run would hold millions of lines). */
        boolean quiet;
        int sent;
        /** SAs the engine asked the kernel to install and to delete. */
        int installs;
        int deletes;
        /** When set, the thread CPU time this node's engine calls take is added to {@link #cpuNanos}. */
        boolean timed;
        long cpuNanos;
        /** Sends and SA installs in order: "send", "install in 0x...", "install out 0x..." with the time. */
        final List<String> timeline = new ArrayList<>();
        /** The decrypted-capture actions (Plaintext, DecryptionKey), when the engine's capture is on. */
        final List<Action> captured = new ArrayList<>();
        /** Per-client security policies the engine asked for (Action.AddPolicy) and has not removed. */
        final List<SpdTunnel> policies = new ArrayList<>();
        /** Addresses the engine asked to put on the host (Action.AddAddress), once per hold. */
        final List<java.net.InetAddress> addresses = new ArrayList<>();
        /** Sees each action before it is carried out (HA: the replication channel, a crash at a boundary). */
        Consumer<Action> observer = a -> { };
        /** HA takeover: the counter each outbound SA got (Action.OutboundSequence), by SPI. */
        final Map<Integer, Long> outboundSequences = new HashMap<>();
        /** HA takeover: the replay state each inbound SA's window got (Action.InboundWindow), by SPI. */
        final Map<Integer, ReplayState> inboundWindows = new HashMap<>();
        /** Crashed: the rest of its actions and its timers are gone. */
        boolean dead;

        Node(String name, InetSocketAddress address, List<PeerPolicy> peers, long seed) {
            this(name, address, peers, seed, false);
        }

        /** {@code allowLegacy}: the engine's crypto accepts DES and the EC2N groups. */
        Node(String name, InetSocketAddress address, List<PeerPolicy> peers, long seed, boolean allowLegacy) {
            this(name, address, peers, seed, allowLegacy, RetransmitPolicy.DEFAULT);
        }

        Node(String name, InetSocketAddress address, List<PeerPolicy> peers, long seed, boolean allowLegacy,
                RetransmitPolicy retransmit) {
            this.name = name;
            this.address = address;
            this.kernel = new InMemoryKernel(new Random(seed));
            this.engine = new Engine(peers, IkeCrypto.bouncyCastle(seededRandom(seed), allowLegacy), kernel, retransmit);
        }

        boolean logged(String fragment) {
            return log.stream().anyMatch(l -> l.contains(fragment));
        }
    }

    private record InFlight(Instant at, long order, Datagram datagram) {
    }

    /**
     * A NAT (RFC 3715 terms): datagrams from the inside to elsewhere leave from the public address,
     * each inside endpoint on a port of its own; datagrams to the public address go to whoever
     * holds that port, or are dropped. Port forwards publish an inside endpoint on a fixed port.
     */
    static final class Nat {
        final InetAddress publicAddress;
        private final Set<InetAddress> inside;
        private final Map<InetSocketAddress, Integer> outbound = new HashMap<>();
        private final Map<Integer, InetSocketAddress> inbound = new HashMap<>();
        private final Set<Integer> forwards = new HashSet<>();
        private int nextPort;

        Nat(String publicAddress, int firstPort, String... inside) {
            this.publicAddress = Addresses.parseLiteral(publicAddress);
            this.inside = new HashSet<>();
            for (String a : inside) {
                this.inside.add(Addresses.parseLiteral(a));
            }
            this.nextPort = firstPort;
        }

        /** Datagrams to the public address on {@code publicPort} go to {@code to}, and its replies leave from there. */
        void forward(int publicPort, InetSocketAddress to) {
            forwards.add(publicPort);
            inbound.put(publicPort, to);
            outbound.put(to, publicPort);
        }

        /** Forgets every dynamic mapping (a NAT reboot or timeout): the next datagram out gets a new port. */
        void rebind() {
            outbound.values().removeIf(port -> !forwards.contains(port));
            inbound.keySet().removeIf(port -> !forwards.contains(port));
        }

        /** The public endpoint the inside endpoint is mapped to now, if it is. */
        InetSocketAddress mapped(InetSocketAddress insideEndpoint) {
            Integer port = outbound.get(insideEndpoint);
            return port == null ? null : new InetSocketAddress(publicAddress, port);
        }

        Datagram translate(Datagram d) {
            InetSocketAddress source = d.local();
            InetSocketAddress destination = d.remote();
            if (inside.contains(source.getAddress()) && !inside.contains(destination.getAddress())) {
                int port = outbound.computeIfAbsent(source, k -> {
                    int p = nextPort++;
                    inbound.put(p, k);
                    return p;
                });
                source = new InetSocketAddress(publicAddress, port);
            }
            if (destination.getAddress().equals(publicAddress)) {
                destination = inbound.get(destination.getPort());
                if (destination == null) {
                    return null;
                }
            }
            return new Datagram(source, destination, d.data());
        }
    }

    private final Random random;
    private final Faults faults;
    private final PriorityQueue<InFlight> wire = new PriorityQueue<>(
            (a, b) -> a.at.equals(b.at) ? Long.compare(a.order, b.order) : a.at.compareTo(b.at));
    private final Map<InetSocketAddress, Node> nodes = new HashMap<>();
    private final List<Nat> nats = new ArrayList<>();
    /** Each node under its engine's {@link Engine#nextTimeout()}. */
    private final Deadlines<Node> timers = new Deadlines<>();
    private final java.util.Set<InetSocketAddress> removed = new java.util.HashSet<>();
    /** Every datagram handed to an engine, as it arrived (seeds for fuzzing), unless {@link #forgetful}. */
    final List<Datagram> delivered = new ArrayList<>();
    /** Keep nothing in {@link #delivered} (a scale run would hold every datagram). */
    boolean forgetful;
    private long order;
    /** Datagrams (as sent, before any NAT) that a test wants lost on the way, besides the random faults. */
    java.util.function.BiPredicate<Node, Datagram> lose = (from, d) -> false;
    Instant now = Instant.parse("2026-01-01T00:00:00Z");

    SimulatedNetwork(long seed, Faults faults) {
        this.random = new Random(seed);
        this.faults = faults;
    }

    Node add(Node n) {
        nodes.put(n.address, n);
        return n;
    }

    /** The node also receives on {@code port} of its address (the NAT-T port). */
    void listen(Node n, int port) {
        nodes.put(new InetSocketAddress(n.address.getAddress(), port), n);
    }

    Nat add(Nat nat) {
        nats.add(nat);
        return nat;
    }

    /** {@code old} crashes and {@code fresh}, at the same address, takes its place with no state. */
    Node replace(Node old, Node fresh) {
        timers.schedule(old, null);
        nodes.put(fresh.address, fresh);
        return fresh;
    }

    void apply(Node from, List<Action> actions) {
        for (Action a : actions) {
            from.observer.accept(a);
            if (from.dead) {
                return;
            }
            try {
                if (a instanceof Action.Send s) {
                    from.timeline.add(now + " send");
                    transmit(from, s.datagram());
                } else if (a instanceof Action.InstallSa i) {
                    from.timeline.add(now + " install " + i.sa().direction().name().toLowerCase() + " 0x"
                            + i.sa().spiHex());
                    from.installs++;
                    from.kernel.install(i.sa());
                } else if (a instanceof Action.DeleteSa d) {
                    from.deletes++;
                    from.kernel.delete(d.sa().destination(), d.sa().spi());
                } else if (a instanceof Action.OutboundSequence q) {
                    from.outboundSequences.put(q.sa().spi(), q.last());
                } else if (a instanceof Action.InboundWindow w) {
                    from.inboundWindows.put(w.sa().spi(), w.replay());
                } else if (a instanceof Action.AddPolicy ap) {
                    from.policies.add(ap.tunnel());
                } else if (a instanceof Action.DeletePolicy dp) {
                    from.policies.remove(dp.tunnel());
                } else if (a instanceof Action.AddAddress aa) {
                    from.addresses.add(aa.address());
                } else if (a instanceof Action.DeleteAddress da) {
                    from.addresses.remove(da.address());
                } else if (a instanceof Action.Plaintext || a instanceof Action.DecryptionKey) {
                    from.captured.add(a);
                } else if (a instanceof Action.Log l && (!from.quiet || l.level().compareTo(Action.Level.WARN) >= 0)) {
                    from.log.add(l.level() + " " + l.message());
                }
            } catch (KernelException e) {
                throw new AssertionError(from.name + ": " + e.getMessage(), e);
            }
        }
        timers.schedule(from, from.engine.nextTimeout().orElse(null));
    }

    private void transmit(Node from, Datagram sent) {
        from.sent++;
        if (lose.test(from, sent)) {
            return;
        }
        Datagram d = sent;
        for (Nat nat : nats) {
            d = nat.translate(d);
            if (d == null) {
                return;
            }
        }
        if (random.nextDouble() < faults.drop()) {
            return;
        }
        int copies = random.nextDouble() < faults.duplicate() ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long delay = 1 + (long) (random.nextDouble() * faults.maxDelay().toMillis());
            wire.add(new InFlight(now.plusMillis(delay), order++, d));
        }
        if (faults.corrupt() > 0 && random.nextDouble() < faults.corrupt()) {
            byte[] other = delivered.isEmpty() ? d.data() : delivered.get(random.nextInt(delivered.size())).data();
            byte[] mangled = WireFuzzer.mutate(d.data(), other, random);
            wire.add(new InFlight(now.plusMillis(1), order++, new Datagram(d.local(), d.remote(), mangled)));
        }
    }

    /** Puts a datagram on the wire that arrives as {@code arriving} at {@code at}, from whatever source it names. */
    void inject(Datagram arriving, Instant at) {
        wire.add(new InFlight(at, order++, new Datagram(arriving.remote(), arriving.local(), arriving.data())));
    }

    private record Task(Instant at, long order, Runnable run) {
    }

    private final PriorityQueue<Task> tasks = new PriorityQueue<>(
            (a, b) -> a.at.equals(b.at) ? Long.compare(a.order, b.order) : a.at.compareTo(b.at));

    /** Runs {@code task} at {@code at} of virtual time (a replication channel's deliveries), in order with datagrams. */
    void schedule(Instant at, Runnable task) {
        tasks.add(new Task(at, order++, task));
    }

    /** Runs events in time order until {@code done} holds or {@code limit} of virtual time has passed. */
    boolean runUntil(BooleanSupplier done, Duration limit) {
        Instant end = now.plus(limit);
        for (Node n : nodes.values()) { // a test may have fed an engine without apply()
            timers.schedule(n, n.engine.nextTimeout().orElse(null));
        }
        while (!done.getAsBoolean()) {
            Instant next = wire.isEmpty() ? null : wire.peek().at();
            Instant t = timers.next().orElse(null);
            if (t != null && (next == null || t.isBefore(next))) {
                next = t;
            }
            if (!tasks.isEmpty() && (next == null || tasks.peek().at().isBefore(next))) {
                next = tasks.peek().at();
            }
            if (next == null || next.isAfter(end)) {
                return false;
            }
            now = next.isAfter(now) ? next : now;
            if (!tasks.isEmpty() && !tasks.peek().at().isAfter(now)) {
                tasks.poll().run().run();
            } else if (!wire.isEmpty() && !wire.peek().at().isAfter(now)) {
                Datagram d = wire.poll().datagram();
                Node to = nodes.get(d.remote());
                if (to == null && removed.contains(d.remote())) {
                    continue; // for a node taken off the network: lost
                }
                if (to == null) {
                    throw new AssertionError("no node at " + d.remote());
                }
                Datagram arriving = new Datagram(d.remote(), d.local(), d.data());
                if (!forgetful) {
                    delivered.add(arriving);
                }
                Instant at = now;
                apply(to, timed(to, () -> to.engine.receive(arriving, at)));
            } else {
                for (Node n : timers.due(now)) {
                    Instant at = now;
                    apply(n, timed(n, () -> n.engine.timeout(at)));
                }
            }
        }
        return true;
    }

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private static List<Action> timed(Node n, java.util.function.Supplier<List<Action>> call) {
        if (!n.timed) {
            return call.get();
        }
        long before = THREADS.getCurrentThreadCpuTime();
        List<Action> actions = call.get();
        n.cpuNanos += THREADS.getCurrentThreadCpuTime() - before;
        return actions;
    }

    /** Takes the node off the network (its datagrams in flight are dropped when they arrive). */
    void remove(Node n) {
        nodes.remove(n.address);
        removed.add(n.address);
        timers.schedule(n, null);
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
