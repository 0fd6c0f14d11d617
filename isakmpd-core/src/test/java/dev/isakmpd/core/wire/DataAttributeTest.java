package dev.isakmpd.core.wire;

import org.junit.jupiter.api.Test;

import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataAttributeTest {

    private static String encode(DataAttribute a) {
        WireWriter w = new WireWriter();
        a.write(w);
        return HexFormat.of().formatHex(w.toByteArray());
    }

    @Test
    void basicIsTypeValueWithAfBit() {
        DataAttribute a = DataAttribute.basic(1, 7);
        assertTrue(a.isBasic());
        assertEquals(1, a.type());
        assertEquals(7, a.longValue());
        assertArrayEquals(new byte[] {0, 7}, a.value());
        assertEquals("80010007", encode(a));
    }

    @Test
    void variableIsTypeLengthValue() {
        DataAttribute a = DataAttribute.variable(12, HexFormat.of().parseHex("00015180"));
        assertFalse(a.isBasic());
        assertEquals(86400, a.longValue());
        assertEquals("000c000400015180", encode(a)); // RFC 2407 s4.5.2 example, attribute #2
    }

    @Test
    void numberPicksCompactForm() {
        assertEquals("800c7080", encode(DataAttribute.number(12, 28800)));
        assertEquals("000c000400015180", encode(DataAttribute.number(12, 86400)));
        assertEquals("000c00080000000100000000", encode(DataAttribute.number(12, 1L << 32)));
        assertThrows(IllegalArgumentException.class, () -> DataAttribute.number(12, -1));
    }

    @Test
    void longValueLimits() {
        assertEquals(0, DataAttribute.variable(2, new byte[0]).longValue());
        byte[] twelve = new byte[12];
        twelve[11] = 5;
        assertEquals(5, DataAttribute.variable(2, twelve).longValue()); // leading zeros are fine
        assertEquals(Long.MAX_VALUE, DataAttribute.variable(2, HexFormat.of().parseHex("7fffffffffffffff")).longValue());
        assertThrows(ArithmeticException.class,
                () -> DataAttribute.variable(2, HexFormat.of().parseHex("8000000000000000")).longValue());
        assertThrows(ArithmeticException.class, () -> DataAttribute.variable(2, new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 0})
                .longValue());
    }

    @Test
    void rangesAndEquality() {
        assertThrows(IllegalArgumentException.class, () -> DataAttribute.basic(0x8000, 1));
        assertThrows(IllegalArgumentException.class, () -> DataAttribute.basic(1, 0x10000));
        assertThrows(IllegalArgumentException.class, () -> DataAttribute.variable(1, new byte[0x10000]));
        assertEquals(DataAttribute.basic(14, 256), DataAttribute.basic(14, 256));
        assertEquals(DataAttribute.basic(14, 256).hashCode(), DataAttribute.basic(14, 256).hashCode());
        // same number, different wire form: not equal, because hashes cover the bytes as sent
        assertNotEquals(DataAttribute.basic(14, 256), DataAttribute.variable(14, new byte[] {1, 0}));
    }

    @Test
    void readsBothForms() throws WireException {
        byte[] buf = HexFormat.of().parseHex("80010007000c000400007080");
        WireReader r = new WireReader(buf, 0, buf.length);
        assertEquals(DataAttribute.basic(1, 7), DataAttribute.read(r));
        assertEquals(DataAttribute.variable(12, HexFormat.of().parseHex("00007080")), DataAttribute.read(r));
        assertFalse(r.hasRemaining());
    }
}
