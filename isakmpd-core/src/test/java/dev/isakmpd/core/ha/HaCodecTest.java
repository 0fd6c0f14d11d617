package dev.isakmpd.core.ha;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isakmpd.core.sa.IpsecSa;
import dev.isakmpd.oakley.SecretBytes;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property tests of the replication codec, seeded as the wire-format ones are (WirePropertiesTest):
 * every record type round-trips component by component, keys included; truncated, garbled,
 * newer-version and unknown-type input is refused with a {@link HaCodecException}; no toString
 * shows a key.
 */
class HaCodecTest {
    private static final int PER_SEED = 200;

    static LongStream seeds() {
        return LongStream.range(0, 32).map(i -> 0x9E3779B97F4A7C15L * (i + 1));
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void everyRecordRoundTrips(long seed) throws HaCodecException {
        RandomHaRecords gen = new RandomHaRecords(seed);
        boolean[] typesSeen = new boolean[8];
        for (int i = 0; i < PER_SEED; i++) {
            HaRecord r = gen.any();
            byte[] bytes = HaCodec.encode(r);
            HaRecord back = HaCodec.decode(bytes);
            assertSameRecord(r, back, "seed " + seed + " #" + i);
            assertArrayEquals(bytes, HaCodec.encode(back), "seed " + seed + " #" + i);
            typesSeen[r.type()] = true;
        }
        for (int t = 1; t <= 7; t++) {
            assertTrue(typesSeen[t], "type " + t + " generated");
        }
    }

    /** Every proper prefix is refused as truncated, never decoded into something shorter. */
    @ParameterizedTest
    @MethodSource("seeds")
    void truncatedRecordsAreRefused(long seed) {
        RandomHaRecords gen = new RandomHaRecords(seed);
        for (int i = 0; i < 6; i++) {
            byte[] bytes = HaCodec.encode(gen.any());
            for (int len = 0; len < bytes.length; len++) {
                byte[] cut = Arrays.copyOf(bytes, len);
                HaCodecException e = assertThrows(HaCodecException.class, () -> HaCodec.decode(cut));
                assertTrue(e.getMessage().startsWith("HA record"), e.getMessage());
            }
            byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
            assertTrue(assertThrows(HaCodecException.class, () -> HaCodec.decode(longer)).getMessage()
                    .contains("trailing"));
        }
    }

    /** A cut names the field it fell in, with what it belongs to: the inbound or outbound SA, an address, an ID. */
    @Test
    void truncationNamesTheFieldAndItsOwner() {
        java.util.Set<String> fields = new java.util.HashSet<>();
        RandomHaRecords gen = new RandomHaRecords(4);
        for (byte[] bytes : List.of(HaCodec.encode(gen.pair()), HaCodec.encode(gen.isakmpSa()))) {
            for (int len = 2; len < bytes.length; len++) {
                byte[] cut = Arrays.copyOf(bytes, len);
                String m = assertThrows(HaCodecException.class, () -> HaCodec.decode(cut)).getMessage();
                fields.add(m.substring("HA record truncated: ".length(), m.indexOf(" at offset")));
            }
        }
        for (String f : List.of("inbound SPI", "outbound SPI", "inbound encryption key length",
                "outbound authentication key", "inbound source selector prefix", "outbound soft share",
                "local address length", "remote port", "local ID data", "SKEYID_e", "expires")) {
            assertTrue(fields.contains(f), f + " in " + fields);
        }
    }

    /** Random corruption decodes to a record or is refused with HaCodecException: nothing else escapes. */
    @ParameterizedTest
    @MethodSource("seeds")
    void garbledRecordsNeverThrowAnythingElse(long seed) {
        RandomHaRecords gen = new RandomHaRecords(seed);
        Random rnd = new Random(seed);
        int refused = 0;
        for (int i = 0; i < 200; i++) {
            byte[] bytes = HaCodec.encode(gen.any());
            for (int flips = 1 + rnd.nextInt(4); flips > 0; flips--) {
                bytes[2 + rnd.nextInt(bytes.length - 2)] = (byte) rnd.nextInt(256);
            }
            try {
                HaCodec.encode(HaCodec.decode(bytes));
            } catch (HaCodecException e) {
                refused++;
            }
        }
        assertTrue(refused > 0, "some garbled records are refused");
    }

    @Test
    void newerVersionAndUnknownTypeAreRefusedClearly() {
        byte[] bytes = HaCodec.encode(new RandomHaRecords(1).isakmpSa());
        bytes[0] = (byte) (HaCodec.VERSION + 1);
        assertEquals("HA record version 4 is newer than this daemon's 3: upgrade this node before its peer",
                assertThrows(HaCodecException.class, () -> HaCodec.decode(bytes)).getMessage());
        bytes[0] = 1; // version 1 carried counters as 64-bit numbers and a bitmap of any length
        assertEquals("HA record version 1 is older than this daemon's 3: upgrade the other node",
                assertThrows(HaCodecException.class, () -> HaCodec.decode(bytes)).getMessage());
        bytes[0] = 2; // version 2 knew no PairLive: its standby would hold pairs pending for ever
        assertEquals("HA record version 2 is older than this daemon's 3: upgrade the other node",
                assertThrows(HaCodecException.class, () -> HaCodec.decode(bytes)).getMessage());
        bytes[0] = 0;
        assertTrue(assertThrows(HaCodecException.class, () -> HaCodec.decode(bytes)).getMessage()
                .contains("version 0 is unknown"));
        bytes[0] = HaCodec.VERSION;
        bytes[1] = 99;
        assertTrue(assertThrows(HaCodecException.class, () -> HaCodec.decode(bytes)).getMessage()
                .startsWith("unknown HA record type 99"));
    }

    /** A went-live record names only its pair: a sixth of the pair record, no key in it. */
    @Test
    void aWentLiveRecordIsShort() throws HaCodecException {
        HaRecord.IpsecPair pair = new RandomHaRecords(5).pair();
        HaRecord.PairLive live = new HaRecord.PairLive((HaRecord.SpiKey) pair.saKey());
        byte[] bytes = HaCodec.encode(live);
        assertEquals(2 + 1 + pair.inbound().destination().getAddress().length + 4, bytes.length);
        assertTrue(bytes.length * 6 < HaCodec.encode(pair).length);
        assertEquals(live, HaCodec.decode(bytes));
        assertEquals(pair.saKey(), HaCodec.decode(bytes).saKey(), "coalesced with its pair's records");
    }

    @Test
    void enumsAndFlagsAreChecked() {
        byte[] dpd = HaCodec.encode(new HaRecord.DpdSequence(new RandomHaRecords(2).cookies(), 7));
        byte[] pair = HaCodec.encode(new RandomHaRecords(3).pair());
        byte[] badFlag = pair.clone();
        badFlag[pair.length - 1 - 8 - 8] = 2; // the esn flag before expires and rekey-at
        assertTrue(assertThrows(HaCodecException.class, () -> HaCodec.decode(badFlag)).getMessage()
                .contains("esn at offset"));
        assertEquals(new HaRecord.DpdSequence(new RandomHaRecords(2).cookies(), 7), assertDecodes(dpd));
    }

    /** No key, whole or in part, in any record's toString: only fingerprints. */
    @ParameterizedTest
    @MethodSource("seeds")
    void toStringShowsNoKey(long seed) {
        RandomHaRecords gen = new RandomHaRecords(seed);
        for (int i = 0; i < 50; i++) {
            HaRecord r = gen.any();
            String text = r.toString();
            for (SecretBytes s : secrets(r)) {
                String hex = HexFormat.of().formatHex(s.bytes());
                assertFalse(text.toLowerCase().contains(hex.substring(0, Math.min(hex.length(), 12))),
                        "a key in " + text);
                assertFalse(text.contains(Arrays.toString(s.bytes())), text);
            }
        }
    }

    private static HaRecord assertDecodes(byte[] b) {
        try {
            return HaCodec.decode(b);
        } catch (HaCodecException e) {
            throw new AssertionError(e);
        }
    }

    private static List<SecretBytes> secrets(HaRecord r) {
        List<SecretBytes> all = new ArrayList<>();
        if (r instanceof HaRecord.IsakmpSa s) {
            all.addAll(List.of(s.skeyidD(), s.skeyidA(), s.skeyidE()));
        } else if (r instanceof HaRecord.IpsecPair p) {
            for (IpsecSa sa : List.of(p.inbound(), p.outbound())) {
                all.add(sa.encryptionKey());
                all.add(sa.authenticationKey());
                sa.bundle().forEach(b -> all.add(b.key()));
            }
        }
        all.removeIf(s -> s.length() == 0);
        return all;
    }

    /** Component by component: arrays by content, SecretBytes by content (its equals), records recursively. */
    static void assertSameRecord(Object a, Object b, String where) {
        assertEquals(a.getClass(), b.getClass(), where);
        for (RecordComponent c : a.getClass().getRecordComponents()) {
            try {
                Object x = c.getAccessor().invoke(a);
                Object y = c.getAccessor().invoke(b);
                String at = where + " " + a.getClass().getSimpleName() + "." + c.getName();
                if (x instanceof byte[] bx) {
                    assertArrayEquals(bx, (byte[]) y, at);
                } else if (x instanceof int[] ix) {
                    assertArrayEquals(ix, (int[]) y, at);
                } else if (x != null && x.getClass().isRecord()) {
                    assertSameRecord(x, y, at);
                } else {
                    assertTrue(Objects.equals(x, y), at + ": " + x + " != " + y);
                }
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
    }
}
