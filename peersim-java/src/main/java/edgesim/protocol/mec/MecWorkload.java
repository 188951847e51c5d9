package edgesim.protocol.mec;

import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Initializer;
import edgesim.engine.Node;
import edgesim.engine.Simulation;
import edgesim.io.WorkloadFile;
import edgesim.protocol.TraceArrivals;
import edgesim.protocol.WorkloadStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Replays a workload file in a MEC scenario, in place of its built-in task generator. Each line is a task
 * arriving at its source device (one of the first {@code devices} nodes, by name) at its arrival time; it
 * waits there until every task it depends on has completed ({@link WorkloadStream}), then joins the device's
 * queue of tasks awaiting the device's decision, oldest first. A released task that finds that queue holding
 * {@code queue_capacity} tasks is dropped (reason {@code queue_full}); a task whose dependency was dropped is
 * dropped too (reason {@code dependency}). The scenario takes the oldest task of each device's queue when the
 * device decides ({@link #poll}) and reports each task's completion ({@link #completed}). At the end of the
 * file the replay stops ({@code end truncate}; {@link #finished()} says when every replayed task has
 * finished) or starts over ({@code end loop}).
 */
public final class MecWorkload implements Initializer, WorkloadStream.Admission<MecWorkload.Item> {
    /** @config a workload file (format pygym-workload 1), or {@code none}. */
    public static final String PAR_WORKLOAD = "workload";
    /** @config at the end of the file: {@code truncate} or {@code loop}. */
    public static final String PAR_END = "end";
    /** @config number of devices (the first nodes): the only nodes a line may name as its source. */
    public static final String PAR_DEVICES = "devices";
    /** @config released tasks a device holds awaiting its decision; more are dropped (queue_full). */
    public static final String PAR_QUEUE_CAPACITY = "queue_capacity";
    /** @config the TraceArrivals protocol that receives the arrivals. */
    public static final String PAR_TRACE = "trace";

    /** Per-device counters since the last {@link #drainCounters}, each named by its field (the constant in lower case). */
    public enum Counter {
        ARRIVED, DROPPED_QUEUE_FULL, DROPPED_DEPENDENCY
    }

    /** One replayed task. Times are seconds on the simulation's clock; sizes bytes. */
    public static final class Item {
        /** Line of the workload file. */
        public final int line;
        /** Index of the source device. */
        public final int device;
        public final double cycles;
        public final double inputBytes;
        public final double outputBytes;
        /** Absolute deadline; infinite when the line gives none. */
        public final double deadline_s;
        /** Arrival at the device. */
        public final double created_s;
        /** When its dependencies were all complete and it joined the device's queue (NaN before). */
        public double released_s = Double.NaN;
        boolean over;

        Item(int line, int device, double cycles, double inputBytes, double outputBytes, double deadline_s,
                double created_s) {
            this.line = line;
            this.device = device;
            this.cycles = cycles;
            this.inputBytes = inputBytes;
            this.outputBytes = outputBytes;
            this.deadline_s = deadline_s;
            this.created_s = created_s;
        }
    }

    /** The initializer type; {@code scans} keeps each file's check across the resets of one scenario. */
    public static ComponentTypes.InitializerType type(Map<String, WorkloadFile.Summary> scans) {
        return (config, sim) -> new MecWorkload(config, sim, scans);
    }

    private final Simulation sim;
    private final String workloadKey;
    private final String path;
    private final boolean loop;
    private final int devices;
    private final int capacity;
    private final int tracePid;
    private final Map<String, WorkloadFile.Summary> scans;
    private final List<ArrayDeque<Item>> ready = new ArrayList<>();
    /** counters[device][counter]: see {@link Counter}. */
    private final long[][] counters;
    /** Tasks of each device that have arrived and not completed or been dropped. */
    private final long[] open;

    private WorkloadStream<Item> stream;

    MecWorkload(ConfigReader config, Simulation sim, Map<String, WorkloadFile.Summary> scans) {
        this.sim = sim;
        this.workloadKey = config.fullKey(PAR_WORKLOAD);
        this.path = config.getString(PAR_WORKLOAD);
        this.loop = config.getChoice(PAR_END, "truncate", "loop").equals("loop");
        this.devices = config.getInt(PAR_DEVICES, 1, sim.size());
        this.capacity = config.getInt(PAR_QUEUE_CAPACITY, 1, 100_000_000);
        this.tracePid = sim.pidFromKey(config, PAR_TRACE, TraceArrivals.class);
        this.scans = scans;
        this.counters = new long[devices][Counter.values().length];
        this.open = new long[devices];
        for (int m = 0; m < devices; m++) {
            ready.add(new ArrayDeque<>());
        }
    }

    @Override
    public void initialize() {
        if (path.equals("none")) {
            return;
        }
        List<Node> sources = new ArrayList<>();
        for (int m = 0; m < devices; m++) {
            sources.add(sim.node(m));
        }
        stream = new WorkloadStream<>(sim, workloadKey, path, loop, tracePid, sources, "device", scans, this);
        sim.share(MecWorkload.class, this);
        stream.start();
    }

    /** The oldest released task awaiting {@code device}'s decision, or null. */
    public Item peek(int device) {
        return ready.get(device).peek();
    }

    /** Takes the oldest released task awaiting {@code device}'s decision (the device decides it now), or null. */
    public Item poll(int device) {
        return ready.get(device).poll();
    }

    /** Released tasks awaiting {@code device}'s decision. */
    public int waiting(int device) {
        return ready.get(device).size();
    }

    /** Tasks of {@code device} that have arrived and not yet completed or been dropped. */
    public long open(int device) {
        return open[device];
    }

    /** A task the scenario took with {@link #poll} has completed: its dependants may be released. */
    public void completed(Item item) {
        end(item);
        stream.finished(item, true);
    }

    /**
     * No further task arrives (the episode is over); those that have arrived carry on, and the ones never
     * decided stay {@link #open}.
     */
    public void stop() {
        stream.stop();
    }

    /** Closes the file (the scenario is done with this simulation); idempotent. */
    public void close() {
        stream.close();
    }

    /** Whether the file is exhausted (without looping) and every task it produced has finished. */
    public boolean finished() {
        return stream.finished();
    }

    /**
     * Adds each of {@code device}'s counters since the last drain into its column of a row,
     * {@code row[base + columns[c]]} for counter c (the columns of the counters' names in the row's layout), and
     * zeroes them.
     */
    public void drainCounters(int device, double[] row, int base, int[] columns) {
        long[] c = counters[device];
        for (int k = 0; k < c.length; k++) {
            row[base + columns[k]] += c[k];
            c[k] = 0;
        }
    }

    @Override
    public Item arrive(Node node, WorkloadFile.Row row, double deadline_s) {
        int device = node.index();
        counters[device][Counter.ARRIVED.ordinal()]++;
        open[device]++;
        return new Item(row.line(), device, row.cycles(), row.inputBytes(), row.outputBytes(), deadline_s,
                sim.now());
    }

    @Override
    public void release(Item item) {
        ArrayDeque<Item> queue = ready.get(item.device);
        if (queue.size() >= capacity) {
            drop(item, Counter.DROPPED_QUEUE_FULL);
            return;
        }
        item.released_s = sim.now();
        queue.add(item);
    }

    @Override
    public void dropForDependency(Item item) {
        drop(item, Counter.DROPPED_DEPENDENCY);
    }

    @Override
    public boolean isOver(Item item) {
        return item.over;
    }

    private void drop(Item item, Counter counter) {
        counters[item.device][counter.ordinal()]++;
        end(item);
        stream.finished(item, false);
    }

    private void end(Item item) {
        if (item.over) {
            throw new IllegalStateException("workload line " + item.line + " finished twice");
        }
        item.over = true;
        open[item.device]--;
    }
}
