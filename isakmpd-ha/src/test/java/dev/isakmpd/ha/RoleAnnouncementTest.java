package dev.isakmpd.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RoleAnnouncementTest {
    private static final RoleAnnouncement A = new RoleAnnouncement("gw-a", "203.0.113.129:7800", true, 150, 3);

    @Test
    void roundTrips() throws Exception {
        for (RoleAnnouncement r : new RoleAnnouncement[] {A, new RoleAnnouncement("gw-ü", "[2001:db8::1]:7800",
                false, 0, Long.MAX_VALUE)}) {
            assertEquals(r, RoleAnnouncement.decode(r.encode()));
        }
    }

    @Test
    void epochThenPriorityThenNameThenLinkDecide() {
        assertFalse(A.outranks(new RoleAnnouncement("gw-b", "203.0.113.130:7800", true, 100, 4)),
                "the later takeover first, whatever its priority");
        assertTrue(A.outranks(new RoleAnnouncement("gw-0", "203.0.113.130:7800", true, 149, 3)), "then priority");
        assertTrue(A.outranks(new RoleAnnouncement("gw-b", "203.0.113.130:7800", true, 150, 3)),
                "then the name that sorts first");
        assertTrue(A.outranks(new RoleAnnouncement("gw-a", "203.0.113.130:7800", true, 150, 3)),
                "then the sync-link address");
        RoleAnnouncement b = new RoleAnnouncement("gw-b", "203.0.113.130:7800", true, 150, 3);
        assertTrue(A.outranks(b) != b.outranks(A), "exactly one of two stays");
    }

    @Test
    void malformedAnnouncementsAreRefused() {
        byte[] wire = A.encode();
        assertEquals("announcement of 10 bytes, shorter than its fixed part", assertThrows(Envelope.Refused.class,
                () -> RoleAnnouncement.decode(Arrays.copyOf(wire, 10))).getMessage());
        byte[] role = wire.clone();
        role[0] = 2;
        assertEquals("announcement role 2, neither 0 (standby) nor 1 (active)", assertThrows(Envelope.Refused.class,
                () -> RoleAnnouncement.decode(role)).getMessage());
        byte[] epoch = wire.clone();
        epoch[2] = (byte) 0x80;
        assertThrows(Envelope.Refused.class, () -> RoleAnnouncement.decode(epoch));
        byte[] name = wire.clone();
        name[10] = 100;
        assertEquals("announcement node of 100 bytes, 23 left", assertThrows(Envelope.Refused.class,
                () -> RoleAnnouncement.decode(name)).getMessage());
        assertEquals("announcement without a sync-link address", assertThrows(Envelope.Refused.class,
                () -> RoleAnnouncement.decode(Arrays.copyOf(wire, 15))).getMessage());
        assertEquals("1 bytes after the announcement", assertThrows(Envelope.Refused.class,
                () -> RoleAnnouncement.decode(Arrays.copyOf(wire, wire.length + 1))).getMessage());
    }
}
