package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.exchange.IsakmpSaInfo;
import dev.isakmpd.core.policy.Addresses;
import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.daemon.Endpoints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SA table as text, one SA a line, for operators and for tests (ours and the strongSwan
 * interop test parse it):
 * <pre>
 * # isakmpd status, updated TIME
 * isakmp PEER ROLE LOCAL REMOTE icookie=16HEX rcookie=16HEX PROPOSAL STATE established=TIME expires=TIME
 * esp PEER TUNNEL in|out spi=8HEX src=ADDR dst=ADDR ALGORITHMS lifetime=SECONDS enc-key-fp=FP auth-key-fp=FP
 *     installed=TIME expires=TIME
 * </pre>
 * (one line each). TIME is an ISO 8601 instant in UTC, or "-" when not known (an ISAKMP SA still
 * negotiating, an SA installed by someone else): the remaining lifetime is expires minus now, kept
 * absolute so that the file only changes when the SAs do. Key fingerprints are the first 4 bytes
 * of SHA-256 of the key: equal on both peers, useless to an attacker.
 */
public final class StatusFile {
    private static final String WORD = "(\\S+)";
    private static final String NONE = "-";
    private static final Pattern ISAKMP = Pattern.compile("isakmp " + WORD + " (initiator|responder) " + WORD + " "
            + WORD + " icookie=([0-9a-f]{16}) rcookie=([0-9a-f]{16}) " + WORD + " " + WORD + " established=" + WORD
            + " expires=" + WORD);
    private static final Pattern ESP = Pattern.compile("esp " + WORD + " " + WORD + " (in|out) spi=([0-9a-f]{8})"
            + " src=" + WORD + " dst=" + WORD + " " + WORD + " lifetime=(\\d+) enc-key-fp=([0-9a-f]+)"
            + " auth-key-fp=([0-9a-f]+) installed=" + WORD + " expires=" + WORD);

    private StatusFile() {
    }

    /** One ISAKMP SA line; {@code established} and {@code expires} are ISO instants or "-". */
    public record IsakmpEntry(String peer, String role, String local, String remote, String initiatorCookie,
            String responderCookie, String proposal, String state, String established, String expires) {

        public static IsakmpEntry of(IsakmpSaInfo sa) {
            Optional<Instant> at = Optional.ofNullable(sa.established());
            return new IsakmpEntry(sa.peer(), sa.role().name().toLowerCase(Locale.ROOT), Endpoints.format(sa.local()),
                    Endpoints.format(sa.remote()), sa.initiatorCookie().toLowerCase(Locale.ROOT),
                    sa.responderCookie().toLowerCase(Locale.ROOT), word(sa.proposal()), word(sa.state()), time(at),
                    time(at.map(t -> t.plus(sa.lifetime()))));
        }

        public String line() {
            return "isakmp " + peer + " " + role + " " + local + " " + remote + " icookie=" + initiatorCookie
                    + " rcookie=" + responderCookie + " " + proposal + " " + state + " established=" + established
                    + " expires=" + expires;
        }
    }

    /** One ESP SA line (one direction); {@code installed} and {@code expires} are ISO instants or "-". */
    public record EspEntry(String peer, String tunnel, String direction, String spi, String source,
            String destination, String algorithms, long lifetimeSeconds, String encryptionKeyFingerprint,
            String authenticationKeyFingerprint, String installed, String expires) {

        public static EspEntry of(IpsecSa sa, Optional<Instant> installed) {
            return new EspEntry(sa.peer(), sa.tunnel(), sa.direction().name().toLowerCase(Locale.ROOT), sa.spiHex(),
                    Addresses.format(sa.source()), Addresses.format(sa.destination()), sa.algorithms(),
                    sa.lifetime().toSeconds(), sa.encryptionKey().fingerprint(), sa.authenticationKey().fingerprint(),
                    time(installed), time(installed.map(t -> t.plus(sa.lifetime()))));
        }

        public String line() {
            return "esp " + peer + " " + tunnel + " " + direction + " spi=" + spi + " src=" + source + " dst="
                    + destination + " " + algorithms + " lifetime=" + lifetimeSeconds + " enc-key-fp="
                    + encryptionKeyFingerprint + " auth-key-fp=" + authenticationKeyFingerprint + " installed="
                    + installed + " expires=" + expires;
        }
    }

    private static String time(Optional<Instant> t) {
        return t.map(i -> i.truncatedTo(ChronoUnit.SECONDS).toString()).orElse(NONE);
    }

    /** The parsed contents of a status file. */
    public record Table(List<IsakmpEntry> isakmp, List<EspEntry> esp) {
        public Table {
            isakmp = List.copyOf(isakmp);
            esp = List.copyOf(esp);
        }

        public List<String> lines() {
            List<String> out = new ArrayList<>();
            isakmp.forEach(e -> out.add(e.line()));
            esp.forEach(e -> out.add(e.line()));
            return out;
        }
    }

    /** @param installed when each SA went into the kernel, if known */
    public static Table of(List<IsakmpSaInfo> isakmp, List<IpsecSa> esp, Function<IpsecSa, Optional<Instant>> installed) {
        return new Table(isakmp.stream().map(IsakmpEntry::of).toList(),
                esp.stream().map(sa -> EspEntry.of(sa, installed.apply(sa))).toList());
    }

    /** @throws IllegalArgumentException naming the first line that is not in the format */
    public static Table parse(List<String> lines) {
        List<IsakmpEntry> isakmp = new ArrayList<>();
        List<EspEntry> esp = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher m;
            if ((m = ISAKMP.matcher(line)).matches()) {
                isakmp.add(new IsakmpEntry(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6),
                        m.group(7), m.group(8), m.group(9), m.group(10)));
            } else if ((m = ESP.matcher(line)).matches()) {
                esp.add(new EspEntry(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6),
                        m.group(7), Long.parseLong(m.group(8)), m.group(9), m.group(10), m.group(11), m.group(12)));
            } else if (!line.isBlank() && !line.startsWith("#")) {
                throw new IllegalArgumentException("status line " + (i + 1) + " not understood: " + line);
            }
        }
        return new Table(isakmp, esp);
    }

    public static Table read(Path file) throws IOException {
        return parse(Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    /** Replaces the file at once (write aside, then rename), so readers never see half a table. */
    public static void write(Path file, Table table, Instant updated) throws IOException {
        write(file, table.lines(), updated);
    }

    /** As {@link #write(Path, Table, Instant)}, with the table's {@link Table#lines()} made already. */
    static void write(Path file, List<String> tableLines, Instant updated) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
        List<String> lines = new ArrayList<>();
        lines.add("# isakmpd status, updated " + updated.truncatedTo(ChronoUnit.SECONDS));
        lines.addAll(tableLines);
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Fields are space separated: a value from the engine must stay one word. */
    private static String word(String s) {
        if (s.isBlank()) {
            return "-";
        }
        // the usual value has no white space: no regex for it (every SA's line is made once a second)
        return s.chars().anyMatch(Character::isWhitespace) ? s.trim().replaceAll("\\s+", "_") : s;
    }
}
