package dev.isakmpd.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SoftLifetimeTest {
    @Test
    void ninetyPercentButAlwaysBeforeTheHardOneAndAtLeastASecond() {
        assertEquals(3240, SoftLifetime.seconds(3600));
        assertEquals(27, SoftLifetime.seconds(30));
        assertEquals(2, SoftLifetime.seconds(3), "3 s: 2.7 rounds to 3, which would be the hard one");
        assertEquals(1, SoftLifetime.seconds(2));
        assertEquals(1, SoftLifetime.seconds(1));
        assertEquals(1, SoftLifetime.seconds(0));
        assertEquals(Duration.ofSeconds(25920), SoftLifetime.of(Duration.ofHours(8)));
    }
}
