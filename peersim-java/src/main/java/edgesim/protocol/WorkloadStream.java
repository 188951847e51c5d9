package edgesim.protocol;

import edgesim.config.ConfigException;
import edgesim.engine.Node;
import edgesim.io.Excerpt;
import edgesim.engine.Simulation;
import edgesim.io.WorkloadFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The scenario-independent part of replaying a workload file: streaming the file one line ahead of the
 * simulation (memory does not grow with its length), checking it whole once per scenario (sources must be
 * nodes that may generate tasks, ids unique, dependencies on earlier lines), delivering each line at its
 * source node at its arrival time through {@link TraceArrivals}, and holding a task until every task it
 * depends on has completed, wherever that ran; if one of them is dropped, the task is dropped too. Only the
 * tasks that some later line depends on are remembered. At the end of the file the replay either stops (and
 * {@link #finished()} says when every replayed task has finished) or starts over shifted by the workload's
 * period: its last arrival plus its mean gap between arrivals.
 *
 * <p>What a task is, and what releasing or dropping one means, belongs to the scenario: its {@link
 * Admission}. The scenario reports the end of every task it was given with {@link #finished(Object, boolean)}.
 *
 * @param <T> the scenario's task type
 */
public final class WorkloadStream<T> {
    /** What a scenario does with replayed tasks. */
    public interface Admission<T> {
        /**
         * Creates the scenario's task for {@code row}, arriving now at {@code node}, with absolute deadline
         * {@code deadline_s} (the line's, shifted by the pass; infinite: none).
         */
        T arrive(Node node, WorkloadFile.Row row, double deadline_s);

        /** Every task {@code task} depends on has completed (or it has none): it may start now. */
        void release(T task);

        /** A task {@code task} depends on was dropped: drop it (reason dependency) and report it finished. */
        void dropForDependency(T task);

        /** Whether {@code task} has already completed or been dropped. */
        boolean isOver(T task);
    }

    private final Simulation sim;
    private final String path;
    /** The file {@code path} names, through the configuration's file policy. */
    private final Path location;
    private final boolean loop;
    private final int tracePid;
    private final Admission<T> admission;
    private final Map<String, Integer> nodeIndex;
    private final WorkloadFile.Summary summary;

    private WorkloadFile file;
    private int pass;
    private double offset_s;
    private boolean exhausted;
    private boolean stopped;
    private boolean closed;
    private long inFlight;
    /** Referenced tasks not finished yet, by pass-qualified id; and the tasks waiting on each. */
    private final Map<String, T> pending = new HashMap<>();
    private final Map<String, List<T>> waiters = new HashMap<>();
    private final Map<T, String> pendingKeys = new IdentityHashMap<>();
    private final Map<T, int[]> unresolved = new IdentityHashMap<>();
    private final Set<String> droppedReferenced = new HashSet<>();

    /**
     * Checks the file (once per scenario: {@code scans} keeps each check, keyed by the file and the source
     * names) and opens it. {@code sources} are the nodes that may generate tasks, named {@code what} in
     * errors ("node", "device"). Throws ConfigException naming {@code key}, the file, the line and the column.
     * Registers the stream with the simulation for {@link TraceArrivals}, so it must be called by an
     * initializer, and only once per simulation; {@link #start()} schedules the first arrival.
     */
    public WorkloadStream(Simulation sim, String key, String path, boolean loop, int tracePid, List<Node> sources,
            String what, Map<String, WorkloadFile.Summary> scans, Admission<T> admission) {
        this.sim = sim;
        this.path = path;
        this.location = sim.config().getFile(key);
        this.loop = loop;
        this.tracePid = tracePid;
        this.admission = admission;
        this.nodeIndex = new HashMap<>();
        for (Node n : sources) {
            nodeIndex.put(n.name(), n.index());
        }
        Set<String> names = nodeIndex.keySet();
        try {
            // Node names and their role are part of the key: a file checked against one scenario is not
            // valid for another.
            this.summary = scans.computeIfAbsent(path + "\n" + what + "\n" + String.join(",", new TreeSet<>(names)),
                    k -> WorkloadFile.scan(location, names, what));
            this.file = new WorkloadFile(location);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + " = " + Excerpt.of(path) + ": " + e.getMessage());
        }
        sim.share(WorkloadStream.class, this);
    }

    /** Schedules the first arrival. */
    public void start() {
        scheduleNext();
    }

    /** Whether the file is exhausted (without looping) and every task it produced has finished. */
    public boolean finished() {
        return exhausted && inFlight == 0;
    }

    /**
     * Ends the replay early: no further line arrives (the one already scheduled is discarded when its time
     * comes). The tasks that have arrived carry on. For a scenario whose episode ends before the file does.
     */
    public void stop() {
        stopped = true;
    }

    /**
     * Stops the replay and closes the file now rather than when the garbage collector finds it: for a scenario
     * that discards its simulation at a reset while lines remain. Idempotent.
     */
    public void close() {
        stopped = true;
        if (!closed) {
            closed = true;
            file.close();
        }
    }

    /** Tasks that have arrived and not yet completed or been dropped. */
    public long inFlight() {
        return inFlight;
    }

    private void scheduleNext() {
        WorkloadFile.Row row = file.next();
        if (row == null) {
            file.close();
            closed = true;
            if (!loop) {
                exhausted = true;
                return;
            }
            pass++;
            offset_s += period_s();
            file = new WorkloadFile(location);
            closed = false;
            row = file.next();
        }
        sim.schedule(Math.max(0, row.arrival_s() + offset_s - sim.now()), nodeIndex.get(row.source()), tracePid,
                TraceArrivals.ARRIVAL, 0, row);
    }

    /** The shift between passes of a looped workload: its last arrival plus its mean gap. */
    private double period_s() {
        double span = summary.lastArrival_s() - summary.firstArrival_s();
        double gap = summary.rows() > 1 ? span / (summary.rows() - 1) : 1.0;
        return summary.lastArrival_s() + Math.max(gap, 1e-6);
    }

    /** A line's task reaches its source (called by {@link TraceArrivals}). */
    void arrive(Node node, WorkloadFile.Row row) {
        if (stopped) {
            close();
            return;
        }
        T task = admission.arrive(node, row, row.deadline_s() + offset_s);
        inFlight++;
        String key = pass + "/" + row.taskId();
        if (summary.referenced().contains(row.taskId())) {
            pending.put(key, task);
            pendingKeys.put(task, key);
        }
        int waiting = 0;
        boolean depDropped = false;
        for (String dep : row.dependsOn()) {
            String depKey = pass + "/" + dep;
            T before = pending.get(depKey);
            if (before != null) {
                waiting++;
                waiters.computeIfAbsent(depKey, k -> new ArrayList<>()).add(task);
            } else if (droppedReferenced.contains(depKey)) {
                depDropped = true;
            }
        }
        if (depDropped) {
            admission.dropForDependency(task);
        } else if (waiting == 0) {
            admission.release(task);
        } else {
            unresolved.put(task, new int[] {waiting});
        }
        scheduleNext();
    }

    /**
     * {@code task} completed ({@code completed}) or was dropped: releases the tasks that waited only for it,
     * or drops those that depended on it.
     */
    public void finished(T task, boolean completed) {
        inFlight--;
        unresolved.remove(task);
        String key = pendingKeys.remove(task);
        if (key == null) {
            return;
        }
        pending.remove(key);
        if (!completed) {
            droppedReferenced.add(key);
        }
        List<T> blocked = waiters.remove(key);
        if (blocked == null) {
            return;
        }
        for (T t : blocked) {
            if (admission.isOver(t)) {
                continue;
            }
            if (!completed) {
                admission.dropForDependency(t);
            } else if (--unresolved.get(t)[0] == 0) {
                unresolved.remove(t);
                admission.release(t);
            }
        }
    }
}
