package dev.isakmpd.daemon.cli;

/** Process exit codes; 2 is also what picocli returns for a bad command line. */
final class ExitCodes {
    static final int OK = 0;
    /** Running failed: a socket could not be bound, the event loop died, the demo did not converge. */
    static final int FAILURE = 1;
    /** The configuration is unusable: nothing was started. */
    static final int BAD_CONFIG = 2;

    private ExitCodes() {
    }
}
