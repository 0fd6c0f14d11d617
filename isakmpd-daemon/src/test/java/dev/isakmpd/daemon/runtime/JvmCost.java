package dev.isakmpd.daemon.runtime;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a stretch of a benchmark cost this JVM, split so that a slow stretch says why: wall time,
 * the measuring thread's CPU, the process's user and system CPU (/proc/self/stat; in the kernel
 * lab's guest the system time is the kernel's work and the system calls), garbage collection,
 * JIT compilation (on a one-CPU guest it competes with the measured thread), page faults (each a
 * trip through the host's kernel in User-Mode Linux) and classes loaded.
 */
record JvmCost(long wallNanos, long threadCpuNanos, long userTicks, long systemTicks, long gcCount, long gcMillis,
        long jitMillis, long minorFaults, long majorFaults, long classes) {

    static JvmCost now() {
        long gcCount = 0;
        long gcMillis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcMillis += Math.max(0, gc.getCollectionTime());
        }
        long[] stat = stat();
        return new JvmCost(System.nanoTime(), ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(), stat[2],
                stat[3], gcCount, gcMillis, ManagementFactory.getCompilationMXBean().getTotalCompilationTime(), stat[0],
                stat[1], ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount());
    }

    /** This stretch: {@code this} is its end, {@code from} its start. */
    JvmCost since(JvmCost from) {
        return new JvmCost(wallNanos - from.wallNanos, threadCpuNanos - from.threadCpuNanos, userTicks - from.userTicks,
                systemTicks - from.systemTicks, gcCount - from.gcCount, gcMillis - from.gcMillis,
                jitMillis - from.jitMillis, minorFaults - from.minorFaults, majorFaults - from.majorFaults,
                classes - from.classes);
    }

    double seconds() {
        return wallNanos / 1e9;
    }

    @Override
    public String toString() {
        // utime and stime are in USER_HZ ticks, 100 a second on Linux
        return String.format("%.3f s wall: thread CPU %.3f s, process user %.2f s system %.2f s, GC %d in %d ms,"
                + " JIT %d ms, %d minor + %d major page faults, %d classes loaded", seconds(), threadCpuNanos / 1e9,
                userTicks / 100.0, systemTicks / 100.0, gcCount, gcMillis, jitMillis, minorFaults, majorFaults,
                classes);
    }

    /** minflt, majflt, utime, stime of this process (proc(5): fields 10, 12, 14, 15). */
    private static long[] stat() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return new long[] {Long.parseLong(f[7]), Long.parseLong(f[9]), Long.parseLong(f[11]), Long.parseLong(f[12])};
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/self/stat: " + e.getMessage(), e);
        }
    }
}
