package dev.isakmpd.daemon.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.exchange.Action;
import dev.isakmpd.core.exchange.Datagram;
import dev.isakmpd.oakley.SecretBytes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link DecryptedCapture} writes for each kind of message, and how it guards its files. */
class DecryptedCaptureTest {
    private static final InetSocketAddress US = new InetSocketAddress("127.0.0.1", 500);
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.2", 500);
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-07T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    /** A 28-byte ISAKMP header (flags at byte 19) and a body: enough to tell the messages apart. */
    private static byte[] message(int tag, boolean encrypted) {
        byte[] m = new byte[36];
        m[0] = (byte) tag;
        m[19] = (byte) (encrypted ? 1 : 0);
        m[27] = 36;
        return m;
    }

    private static Datagram in(byte[] m) {
        return new Datagram(US, PEER, m);
    }

    private static Action.Plaintext plain(byte[] m, boolean received) {
        return new Action.Plaintext(new Datagram(US, PEER, m), received);
    }

    @Test
    void encryptedMessagesAreWrittenAsTheirPlaintextAndRetransmissionsToo() throws Exception {
        Path file = dir.resolve("c.pcap");
        byte[] mm5 = message(5, true);
        byte[] mm5Plain = message(50, false);
        byte[] mm6 = message(6, true);
        byte[] mm6Plain = message(60, false);
        byte[] garbage = message(7, true);
        try (DecryptedCapture c = DecryptedCapture.open(file, CLOCK)) {
            c.received(in(message(1, false)));          // unencrypted: as it is
            c.endOfBatch();
            c.plaintext(plain(mm5Plain, false));         // MM5 sent: its plaintext comes first
            c.sending(in(mm5));
            c.endOfBatch();
            c.received(in(mm6));                         // MM6 received and decrypted
            c.plaintext(plain(mm6Plain, true));
            c.endOfBatch();
            c.sending(in(mm5));                          // a retransmission of MM5
            c.received(in(mm6));                         // a duplicate of MM6, not decrypted again
            c.endOfBatch();
            c.received(in(garbage));                     // never decrypted: as it came
            c.sending(in(message(8, false)));            // the notify it provoked comes after it
            c.endOfBatch();
        }
        List<Record> r = read(file);
        assertEquals(List.of(1, 50, 60, 50, 60, 7, 8), r.stream().map(x -> x.isakmp[0] & 0xff).toList());
        assertArrayEquals(mm6Plain, r.get(2).isakmp);
        assertEquals(List.of(false, true, false, true, false, false, true), r.stream().map(x -> x.sent).toList());
    }

    @Test
    void theKeyTableHasOneLinePerInitiatorCookieInWiresharkForm() throws Exception {
        Path file = dir.resolve("k.pcap");
        byte[] cookie = {1, 2, 3, 4, 5, 6, 7, (byte) 0xfe};
        SecretBytes key = SecretBytes.copyOf(new byte[] {(byte) 0xab, 0x01, 0x02, 0x03});
        SecretBytes wiped = SecretBytes.copyOf(new byte[] {9, 9});
        wiped.wipe();
        try (DecryptedCapture c = DecryptedCapture.open(file, CLOCK)) {
            c.key(new Action.DecryptionKey(cookie, key));
            c.key(new Action.DecryptionKey(cookie, key)); // a key derived again for a rejected MM4
            c.key(new Action.DecryptionKey(new byte[8], wiped));
            c.endOfBatch();
        }
        List<String> lines = Files.readAllLines(c(file));
        assertEquals(List.of("01020304050607fe,ab010203"), lines.stream().filter(l -> !l.startsWith("#")).toList());
        assertFalse(new Action.DecryptionKey(cookie, key).toString().contains("ab010203"));
    }

    @Test
    void bothFilesAreNewAndOwnerOnly() throws Exception {
        Path file = dir.resolve("m.pcap");
        DecryptedCapture.open(file, CLOCK).close();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(c(file))));
        IOException again = assertThrows(IOException.class, () -> DecryptedCapture.open(file, CLOCK));
        assertTrue(again.getMessage().contains(file + " already exists"), again.getMessage());

        Path other = dir.resolve("n.pcap");
        Files.writeString(c(other), "someone else's file");
        assertThrows(IOException.class, () -> DecryptedCapture.open(other, CLOCK));
        assertFalse(Files.exists(other), "the capture file is removed when its key table cannot be created");
        assertEquals("someone else's file", Files.readString(c(other)));
    }

    private static Path c(Path pcap) {
        return pcap.resolveSibling(pcap.getFileName() + DecryptedCapture.KEY_TABLE_SUFFIX);
    }

    private record Record(boolean sent, byte[] isakmp) {
    }

    /** The records of a PcapWriter file: IPv4 + UDP, no NAT-T marker (port 500). */
    private static List<Record> read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        b.position(24);
        List<Record> out = new ArrayList<>();
        while (b.remaining() > 0) {
            b.position(b.position() + 8);
            int length = b.getInt();
            b.getInt();
            byte[] packet = new byte[length];
            b.get(packet);
            boolean sent = packet[15] == 1; // the source address ends in .1: ours
            out.add(new Record(sent, Arrays.copyOfRange(packet, 28, packet.length)));
        }
        return out;
    }
}
