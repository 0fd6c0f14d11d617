package dev.isakmpd.xfrm;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/** The netlink socket against the kernel this JVM runs on, where it lets us (Linux, root, xfrm_user). */
class XfrmSocketHostTest {
    /** A burst of counter reports from 1,000 busy pairs overflowed the default 208 KiB (docs/ha.md "Scale"). */
    @Test
    void theEventSocketHasARoomyReceiveBuffer() throws Exception {
        try (XfrmSocket events = open(true)) {
            // the kernel reports twice what it grants (socket(7))
            assertTrue(events.receiveBuffer() >= 2 * XfrmSocket.EVENT_BUFFER, "events: " + events.receiveBuffer());
        }
    }

    private static XfrmSocket open(boolean events) {
        try {
            return XfrmSocket.open(events);
        } catch (XfrmUnavailableException e) {
            assumeTrue(false, "no XFRM netlink here: " + e.getMessage());
            throw new IllegalStateException(e);
        }
    }
}
