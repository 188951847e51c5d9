package edgesim.protocol.mec;

import edgesim.engine.ComponentTypes;
import edgesim.engine.Protocol;
import edgesim.engine.Simulation;

/**
 * A single first-in first-out server whose queue is measured in seconds of remaining work: work added at
 * time t is done by t + (backlog + work), and the backlog falls by one second per simulated second while
 * positive. This is ExplabOff's edge-server queue (mec_env/queue.py), where every step drains
 * {@code time_step_max} of work in queue order; the simulation clock does the draining here. It also keeps
 * which sources have sent work since the episode began, for the release's first-visit switch time.
 * Registered as {@code WorkQueue}; it has no keys.
 */
public final class WorkQueue implements Protocol {
    public static final ComponentTypes.ProtocolType TYPE = (config, sim, pid) -> node -> new WorkQueue(sim);

    private final Simulation sim;
    /** Remaining work at {@link #asOf_s}; kept relative (not as an absolute finish time) so the arithmetic is
     * the release's: a sum of remaining times, minus the time elapsed. */
    private double backlog_s;
    private double asOf_s;
    private long[] seen = new long[1];

    WorkQueue(Simulation sim) {
        this.sim = sim;
    }

    /** Work still queued now, seconds. */
    public double backlog_s() {
        double elapsed = sim.now() - asOf_s;
        return elapsed == 0 ? backlog_s : Math.max(0, backlog_s - elapsed);
    }

    /**
     * Appends {@code work_s} seconds of work behind what is queued; returns the queued work up to and
     * including it, which is how long after now it finishes.
     */
    public double add(double work_s) {
        backlog_s = backlog_s() + work_s;
        asOf_s = sim.now();
        return backlog_s;
    }

    /** True the first time {@code source} asks (then records it); false afterwards. */
    public boolean firstVisit(int source) {
        int word = source >>> 6;
        if (word >= seen.length) {
            seen = java.util.Arrays.copyOf(seen, word + 1);
        }
        long bit = 1L << (source & 63);
        boolean first = (seen[word] & bit) == 0;
        seen[word] |= bit;
        return first;
    }
}
