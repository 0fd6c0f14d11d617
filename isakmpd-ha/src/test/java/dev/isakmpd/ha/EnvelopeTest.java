package dev.isakmpd.ha;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.crypto.Mac;
import org.junit.jupiter.api.Test;

class EnvelopeTest {
    private final LinkKeys keys = LinkKeys.derive("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));

    @Test
    void roundTripsEveryType() throws Exception {
        for (Envelope.Type t : Envelope.Type.values()) {
            byte[] wire = new Envelope(t, 0x0102030405060708L, new byte[] {9, 8, 7}).encode(mac());
            Envelope e = Envelope.decode(wire, 0, wire.length, mac());
            assertEquals(t, e.type());
            assertEquals(0x0102030405060708L, e.id());
            assertArrayEquals(new byte[] {9, 8, 7}, e.payload());
        }
    }

    @Test
    void unknownVersionIsRefusedByName() {
        byte[] wire = new Envelope(Envelope.Type.SYNC, 1, new byte[4]).encode(mac());
        wire[0] = 2;
        Envelope.Refused r = assertThrows(Envelope.Refused.class, () -> Envelope.decode(wire, 0, wire.length, mac()));
        assertEquals("envelope version 2, this node speaks version 1: upgrade both nodes of the pair to the same "
                + "release", r.getMessage());
    }

    @Test
    void alteredOrForeignMessagesAreRefused() {
        byte[] wire = new Envelope(Envelope.Type.ASYNC, 1, new byte[4]).encode(mac());
        wire[Envelope.HEADER] ^= 1;
        assertTrue(assertThrows(Envelope.Refused.class, () -> Envelope.decode(wire, 0, wire.length, mac()))
                .getMessage().startsWith("HMAC mismatch"));
        LinkKeys other = LinkKeys.derive("0123456789abcdef0123456789abcdeF".getBytes(StandardCharsets.US_ASCII));
        byte[] foreign = new Envelope(Envelope.Type.ASYNC, 1, new byte[4]).encode(other.mac());
        assertThrows(Envelope.Refused.class, () -> Envelope.decode(foreign, 0, foreign.length, mac()));
    }

    @Test
    void lengthAndTypeAreChecked() {
        byte[] wire = new Envelope(Envelope.Type.ASYNC, 1, new byte[4]).encode(mac());
        assertThrows(Envelope.Refused.class, () -> Envelope.decode(wire, 0, wire.length - 1, mac()));
        assertThrows(Envelope.Refused.class, () -> Envelope.decode(wire, 0, Envelope.HEADER, mac()));
        assertThrows(Envelope.Refused.class, () -> Envelope.decode(new byte[0], 0, 0, mac()));
        byte[] badType = ByteBuffer.allocate(Envelope.HEADER).put(Envelope.VERSION).put((byte) 9).putLong(1).putInt(0)
                .array();
        Mac m = mac();
        m.update(badType);
        byte[] signed = ByteBuffer.allocate(Envelope.HEADER + Envelope.MAC).put(badType).put(m.doFinal()).array();
        assertEquals("unknown message type 9", assertThrows(Envelope.Refused.class,
                () -> Envelope.decode(signed, 0, signed.length, mac())).getMessage());
    }

    /** The HMAC is one per thread and reused: input a failed use left in it must not sign the next envelope. */
    @Test
    void aMacLeftWithInputSignsTheNextEnvelopeAlone() throws Exception {
        mac().update(new byte[] {1, 2, 3});
        byte[] wire = new Envelope(Envelope.Type.SYNC, 5, new byte[] {4}).encode(mac());
        mac().update(new byte[] {6});
        assertEquals(5, Envelope.decode(wire, 0, wire.length, mac()).id());
    }

    @Test
    void snapshotRoundTripsAndRefusesLyingCounts() throws Exception {
        List<byte[]> records = List.of(new byte[] {1}, new byte[0], new byte[] {2, 3});
        Envelope s = Envelope.snapshot(records);
        List<byte[]> back = s.records();
        assertEquals(3, back.size());
        assertArrayEquals(new byte[] {2, 3}, back.get(2));
        byte[] lying = ByteBuffer.allocate(8).putInt(5).putInt(1).array();
        assertThrows(Envelope.Refused.class, () -> new Envelope(Envelope.Type.SNAPSHOT, 0, lying).records());
        byte[] tooLong = ByteBuffer.allocate(9).putInt(1).putInt(2).put((byte) 0).array();
        assertThrows(Envelope.Refused.class, () -> new Envelope(Envelope.Type.SNAPSHOT, 0, tooLong).records());
    }

    @Test
    void toStringShowsNoPayload() {
        byte[] key = "SKEYID_d-secret!".getBytes(StandardCharsets.US_ASCII);
        String text = new Envelope(Envelope.Type.SYNC, 3, key).toString();
        assertEquals("SYNC(id 3, 16 bytes)", text);
        assertFalse(text.contains("SKEYID"));
    }

    private Mac mac() {
        return keys.mac();
    }
}
