package dev.isakmpd.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void parsesUnits() {
        assertEquals(Duration.ofSeconds(90), Durations.parse("90s"));
        assertEquals(Duration.ofMillis(250), Durations.parse("250ms"));
        assertEquals("250ms", Durations.format(Duration.ofMillis(250)));
        assertEquals(Duration.ofSeconds(90), Durations.parse("90"));
        assertEquals(Duration.ofMinutes(30), Durations.parse("30m"));
        assertEquals(Duration.ofHours(8), Durations.parse("8h"));
        assertEquals(Duration.ofDays(1), Durations.parse("1d"));
    }

    @Test
    void rejectsNonsense() {
        for (String bad : new String[] {"", "h", "-5s", "1.5h", "8 hours", "0", "0s", "99999999999"}) {
            assertThrows(IllegalArgumentException.class, () -> Durations.parse(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> Durations.ofSeconds(-1));
    }

    @Test
    void formatsWithTheLargestExactUnit() {
        assertEquals("8h", Durations.format(Duration.ofHours(8)));
        assertEquals("90m", Durations.format(Duration.ofMinutes(90)));
        assertEquals("2d", Durations.format(Duration.ofDays(2)));
        assertEquals("61s", Durations.format(Duration.ofSeconds(61)));
    }
}
