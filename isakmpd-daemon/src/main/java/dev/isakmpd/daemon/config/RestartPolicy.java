package dev.isakmpd.daemon.config;

import java.time.Duration;

/**
 * What the daemon does when a peer it wants up (auto = "start", or brought up by isakmpctl) loses
 * its tunnels, as strongSwan's keyingtries, close_action and dpd_action.
 *
 * @param keyingTries Main Mode attempts before giving up; 0 means forever
 * @param retryDelay the wait before the second attempt, doubling for each further one
 * @param retryDelayMax the cap of that doubling
 */
public record RestartPolicy(int keyingTries, Duration retryDelay, Duration retryDelayMax, OnLoss closeAction,
        OnLoss dpdAction) {

    public static final RestartPolicy DEFAULT = new RestartPolicy(0, Duration.ofSeconds(5), Duration.ofMinutes(2),
            OnLoss.RESTART, OnLoss.RESTART);

    /** After the peer deleted our SAs, or DPD declared it dead. */
    public enum OnLoss {
        /** Negotiate anew at once. */
        RESTART,
        /** Wait until traffic hits the tunnel's policy (a kernel ACQUIRE). */
        HOLD,
        /** Leave it down, ACQUIREs included, until isakmpctl up. */
        CLEAR
    }

    public boolean forever() {
        return keyingTries == 0;
    }

    /** The wait after failed attempt number {@code attempt} (1-based): retryDelay doubling up to the cap. */
    public Duration delayAfter(int attempt) {
        Duration d = retryDelay;
        for (int i = 1; i < attempt && d.compareTo(retryDelayMax) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(retryDelayMax) > 0 ? retryDelayMax : d;
    }
}
