package dev.isakmpd.core.wire;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Mutation fuzzing in the build (issue 3: at least 10^5 mutated real messages); scripts/fuzz-wire.sh runs 10^7.
 * Damaged messages may only decode to a value or raise WireException, quickly and with bounded allocation, and
 * whatever decodes re-encodes to exactly the bytes it was decoded from.
 */
class FuzzTest {
    private static final int ITERATIONS = 150_000;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS) // a hang fails the build instead of stalling it
    void mutatedMessagesYieldValueOrWireException() {
        WireFuzzer fuzzer = new WireFuzzer(0x15A4D);
        WireFuzzer.Stats s = fuzzer.run(ITERATIONS);
        System.out.println("FuzzTest: " + s);
        // both outcomes must actually occur, or the mutations are too weak / too destructive
        assertTrue(s.accepted() > ITERATIONS / 50, s.toString());
        assertTrue(s.rejected() > ITERATIONS / 2, s.toString());
    }

    /** The fuzzer's outcome check tells values from WireExceptions, and its mutations produce both. */
    @Test
    void checksTellOutcomesApart() {
        byte[] mm1 = MainModeMessageTest.mm1();
        assertTrue(WireFuzzer.decodeAndCheck(mm1, true));
        assertFalse(WireFuzzer.decodeAndCheck(java.util.Arrays.copyOf(mm1, 40), false));
        assertFalse(WireFuzzer.decodeAndCheck(new byte[3], false)); // not even a header: still WireException
        Random rnd = new Random(5);
        int changed = 0;
        for (int i = 0; i < 1000; i++) {
            if (!java.util.Arrays.equals(mm1, WireFuzzer.mutate(mm1, mm1, rnd))) {
                changed++;
            }
        }
        assertTrue(changed > 900, "mutations changed only " + changed + " of 1000 inputs");
    }
}
