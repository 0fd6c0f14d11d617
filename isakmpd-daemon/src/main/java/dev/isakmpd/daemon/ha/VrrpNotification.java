package dev.isakmpd.daemon.ha;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of keepalived's vrrp_notify_fifo: {@code INSTANCE "VI_1" MASTER 100} or
 * {@code GROUP "VG_1" BACKUP 0} (keepalived.conf(5), vrrp_notify_fifo).
 *
 * @param group whether a sync group (GROUP) rather than one instance (INSTANCE) changed state
 * @param priority 0 to 255 (a group reports 0)
 */
public record VrrpNotification(boolean group, String name, State state, int priority) {
    /** TYPE "NAME" STATE PRIORITY; the name has no quote or line break (keepalived's own names). */
    private static final Pattern LINE = Pattern.compile("(INSTANCE|GROUP) \"([^\"\\p{Cntrl}]{1,255})\" ([A-Z_]+) (\\d{1,3})");

    public enum State {
        MASTER,
        BACKUP,
        FAULT,
        /** keepalived is stopping: this node will not hold the address. */
        STOP;

        /** MASTER makes this node active; every other state makes it standby. */
        public boolean active() {
            return this == MASTER;
        }
    }

    /** A line that is not a VRRP state change: why, for the log. */
    public static final class Ignored extends Exception {
        Ignored(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * Parses one line strictly.
     *
     * @throws Ignored for anything but an INSTANCE or GROUP line with a known state and a
     *         priority of at most 255 (keepalived's lvs lines, a newer keepalived's states)
     */
    public static VrrpNotification parse(String line) throws Ignored {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            throw new Ignored("not an INSTANCE or GROUP state line");
        }
        State state;
        try {
            state = State.valueOf(m.group(3));
        } catch (IllegalArgumentException e) {
            throw new Ignored("unknown state " + m.group(3) + " (known: MASTER, BACKUP, FAULT, STOP)");
        }
        int priority = Integer.parseInt(m.group(4));
        if (priority > 255) {
            throw new Ignored("priority " + priority + " above 255");
        }
        return new VrrpNotification(m.group(1).equals("GROUP"), m.group(2), state, priority);
    }

    @Override
    public String toString() {
        return (group ? "GROUP" : "INSTANCE") + " \"" + name + "\" " + state + " " + priority;
    }
}
