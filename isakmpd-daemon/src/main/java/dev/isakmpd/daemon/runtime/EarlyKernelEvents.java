package dev.isakmpd.daemon.runtime;

import dev.isakmpd.core.kernel.KernelEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Holds the kernel's events from the moment our SPD entries exist until the event loop does. The
 * first packet a policy catches makes the kernel send one ACQUIRE and then wait for a larval SA's
 * lifetime (30 s on Linux) before it asks again: an ACQUIRE dropped during start-up (traffic
 * already flowing when the daemon restarts) would stall the tunnel for that long.
 */
final class EarlyKernelEvents implements Consumer<KernelEvent> {
    private final List<KernelEvent> held = new ArrayList<>();
    private Consumer<KernelEvent> target;

    @Override
    public synchronized void accept(KernelEvent e) {
        if (target == null) {
            held.add(e);
        } else {
            target.accept(e);
        }
    }

    /** From now on events go to {@code loop}, those held first. */
    synchronized void deliverTo(Consumer<KernelEvent> loop) {
        held.forEach(loop);
        held.clear();
        target = loop;
    }
}
