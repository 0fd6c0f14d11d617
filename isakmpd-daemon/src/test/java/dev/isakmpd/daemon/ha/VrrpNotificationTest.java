package dev.isakmpd.daemon.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isakmpd.daemon.ha.VrrpNotification.State;
import org.junit.jupiter.api.Test;

class VrrpNotificationTest {
    @Test
    void instanceAndGroupLines() throws Exception {
        assertEquals(new VrrpNotification(false, "VI_1", State.MASTER, 100),
                VrrpNotification.parse("INSTANCE \"VI_1\" MASTER 100"));
        assertEquals(new VrrpNotification(true, "outside+inside", State.BACKUP, 0),
                VrrpNotification.parse("GROUP \"outside+inside\" BACKUP 0"));
        assertEquals(State.FAULT, VrrpNotification.parse("INSTANCE \"VI_1\" FAULT 255").state());
        assertEquals(State.STOP, VrrpNotification.parse("INSTANCE \"VI_1\" STOP 100").state());
        assertEquals("GROUP \"G\" MASTER 0", VrrpNotification.parse("GROUP \"G\" MASTER 0").toString());
    }

    @Test
    void onlyMasterIsActive() {
        assertEquals(true, State.MASTER.active());
        assertEquals(false, State.BACKUP.active());
        assertEquals(false, State.FAULT.active());
        assertEquals(false, State.STOP.active());
    }

    @Test
    void everythingElseIsIgnoredWithAReason() {
        assertIgnored("VS [192.168.201.15]:tcp:80 UP", "not an INSTANCE or GROUP state line");
        assertIgnored("RS [1.2.3.4]:tcp:80 [192.168.201.15]:tcp:80 DOWN", "not an INSTANCE or GROUP state line");
        assertIgnored("INSTANCE \"VI_1\" DELETED 100", "unknown state DELETED (known: MASTER, BACKUP, FAULT, STOP)");
        assertIgnored("INSTANCE \"VI_1\" MASTER 256", "priority 256 above 255");
        assertIgnored("INSTANCE VI_1 MASTER 100", "not an INSTANCE or GROUP state line");
        assertIgnored("INSTANCE \"VI_1\" MASTER 100 extra", "not an INSTANCE or GROUP state line");
        assertIgnored("INSTANCE \"VI_1\" MASTER", "not an INSTANCE or GROUP state line");
        assertIgnored("instance \"VI_1\" master 100", "not an INSTANCE or GROUP state line");
        assertIgnored("", "not an INSTANCE or GROUP state line");
    }

    private static void assertIgnored(String line, String reason) {
        assertEquals(reason, assertThrows(VrrpNotification.Ignored.class, () -> VrrpNotification.parse(line))
                .getMessage(), line);
    }
}
