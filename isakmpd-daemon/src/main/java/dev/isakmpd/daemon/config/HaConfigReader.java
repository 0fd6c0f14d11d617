package dev.isakmpd.daemon.config;

import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.daemon.config.Section.Value;
import dev.isakmpd.oakley.SecretBytes;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads and checks the [ha] table; every problem names its file, line and key. */
final class HaConfigReader {
    private static final Pattern NODE = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** 128 bits: the key derivation refuses shorter secrets. */
    static final int MIN_KEY_BYTES = 16;
    /** JGroups' failure detector listens on the sync port + 100. */
    private static final int MAX_SYNC_PORT = 65535 - 100;
    private static final Set<String> KEYS = Set.of("mode", "node", "sync-link", "key-file", "keepalived-fifo",
            "track-file", "replay-threshold", "replay-interval", "peak-pps", "takeover-rekey-spread", "sync-counters");

    private final Problems problems;
    private final Path baseDir;

    HaConfigReader(Problems problems, Path baseDir) {
        this.problems = problems;
        this.baseDir = baseDir;
    }

    /** Empty for no [ha] table or mode = "off". */
    Optional<HaSettings> read(Section ha) {
        ha.allowOnly(KEYS);
        Optional<Value<String>> mode = ha.requiredString("mode");
        if (mode.isEmpty()) {
            return Optional.empty();
        }
        switch (mode.get().value()) {
            case "off" -> {
                KEYS.stream().filter(k -> !k.equals("mode") && ha.has(k)).sorted().findFirst().ifPresent(
                        k -> problems.warn(ha.at(k), "has no effect with mode = \"off\""));
                return Optional.empty();
            }
            case "active-standby" -> {
            }
            default -> {
                problems.error(mode.get().at(), "unknown mode '" + mode.get().value()
                        + "' (known: off, active-standby)");
                return Optional.empty();
            }
        }
        int errorsBefore = problems.errorCount();
        Optional<Value<String>> node = ha.requiredString("node");
        node.filter(n -> !NODE.matcher(n.value()).matches()).ifPresent(n -> problems.error(n.at(),
                "must be 1 to 64 letters, digits, '.', '_' or '-'"));
        List<InetSocketAddress> link = syncLink(ha);
        Optional<SecretBytes> key = key(ha);
        Optional<Path> fifo = path(ha, "keepalived-fifo");
        Optional<Path> track = path(ha, "track-file");
        int threshold = (int) positive(ha, "replay-threshold", HaSettings.DEFAULT_REPLAY_THRESHOLD, Integer.MAX_VALUE);
        Optional<Value<Duration>> intervalValue = ha.duration("replay-interval");
        intervalValue.filter(v -> v.value().toMillis() < HaSettings.MIN_REPLAY_INTERVAL.toMillis()).ifPresent(v ->
                problems.error(v.at(), "must be at least " + HaSettings.MIN_REPLAY_INTERVAL.toMillis()
                        + " ms (the kernel's counter timer counts in tenths of a second)"));
        Duration interval = intervalValue.map(Value::value).orElse(HaSettings.DEFAULT_REPLAY_INTERVAL);
        long peakPps = positive(ha, "peak-pps", HaSettings.DEFAULT_PEAK_PPS, 1_000_000_000L);
        Duration spread = ha.duration("takeover-rekey-spread").map(Value::value)
                .orElse(HaSettings.DEFAULT_TAKEOVER_REKEY_SPREAD);
        boolean syncCounters = ha.bool("sync-counters").map(Value::value).orElse(true);
        if (problems.errorCount() > errorsBefore) {
            key.ifPresent(SecretBytes::wipe);
            return Optional.empty();
        }
        return Optional.of(new HaSettings(node.get().value(), link.get(0), link.subList(1, link.size()),
                baseDir.resolve(ha.string("key-file").get().value()), key.get(), fifo.get(), track.get(), threshold,
                interval, peakPps, spread, syncCounters));
    }

    /** sync-link: this node's address first, then the other gateway's (and a witness's), each ADDRESS[:PORT]. */
    private List<InetSocketAddress> syncLink(Section ha) {
        List<Value<String>> entries = ha.strings("sync-link", true);
        if (entries.isEmpty()) {
            return List.of();
        }
        if (entries.size() < 2) {
            problems.error(ha.at("sync-link"), "needs this node's address, then the other node's");
            return List.of();
        }
        List<InetSocketAddress> out = new ArrayList<>();
        Set<InetSocketAddress> seen = new HashSet<>();
        for (Value<String> e : entries) {
            InetSocketAddress a;
            try {
                a = Addresses.parseEndpoint(e.value(), HaSettings.DEFAULT_SYNC_PORT);
            } catch (IllegalArgumentException ex) {
                problems.error(e.at(), ex.getMessage());
                continue;
            }
            if (a.getAddress().isAnyLocalAddress() || a.getAddress().isMulticastAddress()) {
                problems.error(e.at(), "must be a unicast address of the sync link, not " + e.value()
                        + ": replication binds to that link only");
            } else if (a.getPort() > MAX_SYNC_PORT) {
                problems.error(e.at(), "port must be at most " + MAX_SYNC_PORT + " (the failure detector uses "
                        + "port + 100)");
            } else if (!seen.add(a)) {
                problems.error(e.at(), "appears twice");
            } else {
                out.add(a);
            }
        }
        return out;
    }

    private Optional<SecretBytes> key(Section ha) {
        Optional<Value<String>> file = ha.requiredString("key-file");
        if (file.isEmpty()) {
            return Optional.empty();
        }
        Optional<SecretBytes> key = PskReader.fromFile(baseDir.resolve(file.get().value()), file.get(), "key-file",
                problems);
        if (key.isPresent() && key.get().length() < MIN_KEY_BYTES) {
            problems.error(file.get().at(), "key-file " + baseDir.resolve(file.get().value()) + " holds "
                    + key.get().length() + " bytes, at least " + MIN_KEY_BYTES + " are needed (e.g. openssl rand "
                    + "-base64 32)");
            key.get().wipe();
            return Optional.empty();
        }
        return key;
    }

    private Optional<Path> path(Section ha, String key) {
        Optional<Value<String>> v = ha.requiredString(key);
        if (v.isPresent() && v.get().value().isBlank()) {
            problems.error(v.get().at(), "must be a path");
            return Optional.empty();
        }
        return v.map(p -> baseDir.resolve(p.value()));
    }

    private long positive(Section ha, String key, long otherwise, long max) {
        Optional<Value<Long>> v = ha.integer(key);
        if (v.isPresent() && (v.get().value() < 1 || v.get().value() > max)) {
            problems.error(v.get().at(), "must be between 1 and " + max + ", got " + v.get().value());
            return otherwise;
        }
        return v.map(Value::value).orElse(otherwise);
    }
}
