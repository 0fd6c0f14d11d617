package dev.isakmpd.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.isakmpd.oakley.IkeCrypto;
import java.security.SecureRandom;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** daemon.crypto on a machine where ACCP loads and, by its stated reason, on one where it does not. */
class CryptoChoiceTest {
    private static final Optional<String> NO_LIBRARY = Optional.of("its native library did not load (test)");

    @Test
    void autoFallsBackToBouncyCastleAndSaysWhy() {
        CryptoChoice c = CryptoChoice.resolve(CryptoChoice.Mode.AUTO, NO_LIBRARY);
        assertFalse(c.accp());
        assertEquals("bouncycastle (auto: ACCP unavailable: its native library did not load (test))", c.describe());
        assertEquals("bouncycastle", c.create(new SecureRandom(), false).name());
    }

    @Test
    void accpRefusesWhereItCannotLoad() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CryptoChoice.resolve(CryptoChoice.Mode.ACCP, NO_LIBRARY));
        assertEquals("Amazon Corretto Crypto Provider cannot be used here: its native library did not load (test)"
                + " (crypto = \"auto\" falls back to Bouncy Castle)", e.getMessage());
    }

    @Test
    void accpAndAutoChooseAccpWhereItLoads() {
        assumeTrue(IkeCrypto.accpProblem().isEmpty(), () -> "ACCP unavailable: " + IkeCrypto.accpProblem().get());
        for (CryptoChoice.Mode m : new CryptoChoice.Mode[] {CryptoChoice.Mode.AUTO, CryptoChoice.Mode.ACCP}) {
            CryptoChoice c = CryptoChoice.resolve(m, Optional.empty());
            assertTrue(c.accp());
            assertTrue(c.describe().startsWith(m == CryptoChoice.Mode.AUTO ? "accp (auto: ACCP 2." : "accp (configured, ACCP 2."),
                    c.describe());
            assertTrue(c.describe().contains("AWS-LC"), c.describe());
            assertEquals("accp", c.create(new SecureRandom(), false).name());
        }
    }
}
