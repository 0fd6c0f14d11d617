package dev.isakmpd.daemon.ha;

import java.util.Map;

/**
 * Whether this node may act as the gateway: initiate, answer kernel ACQUIREs and soft EXPIREs,
 * and send on UDP 500/4500. Only the active node of an HA pair may; without HA, always.
 * Read on the event loop's thread.
 */
public interface RoleGate {
    RoleGate ALWAYS_ACTIVE = new RoleGate() {
        @Override
        public boolean active() {
            return true;
        }

        @Override
        public Map<String, Object> status() {
            return Map.of();
        }
    };

    boolean active();

    /** The HA lines of isakmpctl status (none without HA). */
    Map<String, Object> status();
}
