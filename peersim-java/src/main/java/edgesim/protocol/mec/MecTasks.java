package edgesim.protocol.mec;

import edgesim.engine.ComponentTypes;
import edgesim.engine.Protocol;
import edgesim.engine.Simulation;
import edgesim.model.MecJob;
import edgesim.model.RecordLog;

/**
 * The origin side of a device's tasks in the MEC scenarios: splits a decided task into its local part, (1 - p)
 * of the cycles queued on the device's CPU, and its offloaded part, p of the bytes uploaded and p of the cycles
 * computed at the server, whose share p of the output bytes then comes back. A task is done when both parts
 * are; it missed its deadline if that is later than its deadline. Each finished task is accounted for in the
 * device's counters (until drained) and in one record of the simulation's log; a replayed task's completion is
 * reported to the {@link MecWorkload}, which may release the tasks that wait for it.
 */
public final class MecTasks implements Protocol, MecJob.Listener {
    /** @config the MecCpu protocol that computes a device's local parts. */
    public static final String PAR_LOCAL = "local";
    /** @config the Uplink protocol that carries a device's offloaded parts (and brings their results back). */
    public static final String PAR_UPLINK = "uplink";

    /**
     * The counters of a device's tasks finished since the last {@link #drainCounters}, each named by its field
     * (the constant in lower case): sums over the tasks of their latency and its parts, misses and energies.
     */
    public enum Counter {
        COMPLETED, LATENCY_SUM_S, LOCAL_LATENCY_SUM_S, EDGE_LATENCY_SUM_S, UPLOAD_SUM_S, MISSED, ENERGY_LOCAL_J,
        ENERGY_TX_J, ENERGY_EDGE_J, RETURN_SUM_S
    }

    /** The fields of one completed-task record, in order, each named by the constant in lower case. */
    public enum Record {
        DEVICE, SERVER, OFFLOAD_RATIO, BYTES, CYCLES, CREATED_S, LATENCY_S, LOCAL_LATENCY_S, EDGE_LATENCY_S,
        UPLOAD_S, MISSED, ENERGY_LOCAL_J, ENERGY_TX_J, ENERGY_EDGE_J, WORKLOAD_LINE, DECIDED_S, STARTED_S,
        FINISHED_S, RETURN_S
    }

    public static final ComponentTypes.ProtocolType TYPE = (config, sim, pid) -> {
        int local = sim.pidFromKey(config, PAR_LOCAL, MecCpu.class);
        int uplink = sim.pidFromKey(config, PAR_UPLINK, Uplink.class);
        return node -> new MecTasks(sim, node.index(), local, uplink);
    };

    /** The simulation's log of completed tasks (shared by every device's protocol). */
    public static RecordLog log(Simulation sim) {
        return sim.shared(Log.class, Log::new).records;
    }

    private static final class Log {
        final RecordLog records = new RecordLog(Record.values().length);
    }

    /** A task followed from decision to completion. */
    private static final class Task {
        final int server;
        final double ratio;
        final double bytes;
        final double cycles;
        final double outputBytes;
        final double created_s;
        final double deadline_s;
        final double decided_s;
        /** The replayed task, or null for a generated one. */
        final MecWorkload.Item item;
        MecJob local;
        MecJob edge;
        int partsLeft;

        Task(int server, double ratio, double bytes, double cycles, double outputBytes, double created_s,
                double deadline_s, double decided_s, MecWorkload.Item item) {
            this.server = server;
            this.ratio = ratio;
            this.bytes = bytes;
            this.cycles = cycles;
            this.outputBytes = outputBytes;
            this.created_s = created_s;
            this.deadline_s = deadline_s;
            this.decided_s = decided_s;
            this.item = item;
        }
    }

    private final Simulation sim;
    private final int device;
    private final int localPid;
    private final int uplinkPid;
    private final double[] counters = new double[Counter.values().length];
    private final RecordLog log;
    private int outstanding;

    MecTasks(Simulation sim, int device, int localPid, int uplinkPid) {
        this.sim = sim;
        this.device = device;
        this.localPid = localPid;
        this.uplinkPid = uplinkPid;
        this.log = log(sim);
    }

    /**
     * Starts the parts of a task decided now: {@code ratio} of it offloaded to server number {@code server} (node
     * {@code serverNode}). {@code item} is the replayed task, or null for a generated one; times are absolute.
     */
    public void decide(int server, int serverNode, double ratio, double bytes, double cycles, double outputBytes,
            double created_s, double deadline_s, MecWorkload.Item item) {
        Task task = new Task(server, ratio, bytes, cycles, outputBytes, created_s, deadline_s, sim.now(), item);
        outstanding++;
        if (ratio < 1) {
            task.local = new MecJob(task, this, 0, (1 - ratio) * cycles, device);
            task.partsLeft++;
        }
        if (ratio > 0) {
            task.edge = new MecJob(task, this, ratio * bytes, ratio * cycles, serverNode);
            task.partsLeft++;
        }
        if (task.local != null) {
            ((MecCpu) sim.node(device).protocol(localPid)).submit(task.local);
        }
        if (task.edge != null) {
            uplink().send(task.edge);
        }
    }

    /** Tasks decided here and not finished yet. */
    public int outstanding() {
        return outstanding;
    }

    @Override
    public void uploaded(MecJob job) {
        // Nothing to do: the upload's times are on the job and the server's CPU has queued it.
    }

    @Override
    public void computed(MecJob job) {
        Task task = (Task) job.owner;
        if (job == task.edge) {
            // The offloaded part's share of the output comes back before that part counts as done.
            uplink().returnResult(job, task.ratio * task.outputBytes);
            return;
        }
        partDone(task);
    }

    @Override
    public void returned(MecJob job) {
        partDone((Task) job.owner);
    }

    private void partDone(Task task) {
        if (--task.partsLeft > 0) {
            return;
        }
        outstanding--;
        double now = sim.now();
        MecJob local = task.local;
        MecJob edge = task.edge;
        double latency = now - task.created_s;
        double localLatency = local == null ? 0 : local.computed_s - task.created_s;
        double edgeLatency = edge == null ? 0 : edge.returned_s - task.created_s;
        double upload = edge == null ? 0 : edge.uploadDone_s - edge.uploadStart_s;
        double back = edge == null ? 0 : edge.returned_s - edge.computed_s;
        double started = Math.min(local == null ? Double.POSITIVE_INFINITY : local.started_s,
                edge == null ? Double.POSITIVE_INFINITY : edge.uploadStart_s);
        boolean missed = now > task.deadline_s;
        double eLocal = local == null ? 0 : local.computeEnergy_j;
        double eTx = edge == null ? 0 : edge.txEnergy_j;
        double eEdge = edge == null ? 0 : edge.computeEnergy_j;
        counters[Counter.COMPLETED.ordinal()] += 1;
        counters[Counter.LATENCY_SUM_S.ordinal()] += latency;
        counters[Counter.LOCAL_LATENCY_SUM_S.ordinal()] += localLatency;
        counters[Counter.EDGE_LATENCY_SUM_S.ordinal()] += edgeLatency;
        counters[Counter.UPLOAD_SUM_S.ordinal()] += upload;
        counters[Counter.MISSED.ordinal()] += missed ? 1 : 0;
        counters[Counter.ENERGY_LOCAL_J.ordinal()] += eLocal;
        counters[Counter.ENERGY_TX_J.ordinal()] += eTx;
        counters[Counter.ENERGY_EDGE_J.ordinal()] += eEdge;
        counters[Counter.RETURN_SUM_S.ordinal()] += back;
        log.append();
        log.set(Record.DEVICE, device);
        log.set(Record.SERVER, task.server);
        log.set(Record.OFFLOAD_RATIO, task.ratio);
        log.set(Record.BYTES, task.bytes);
        log.set(Record.CYCLES, task.cycles);
        log.set(Record.CREATED_S, task.created_s);
        log.set(Record.LATENCY_S, latency);
        log.set(Record.LOCAL_LATENCY_S, localLatency);
        log.set(Record.EDGE_LATENCY_S, edgeLatency);
        log.set(Record.UPLOAD_S, upload);
        log.set(Record.MISSED, missed ? 1 : 0);
        log.set(Record.ENERGY_LOCAL_J, eLocal);
        log.set(Record.ENERGY_TX_J, eTx);
        log.set(Record.ENERGY_EDGE_J, eEdge);
        log.set(Record.WORKLOAD_LINE, task.item == null ? -1 : task.item.line);
        log.set(Record.DECIDED_S, task.decided_s);
        log.set(Record.STARTED_S, started);
        log.set(Record.FINISHED_S, now);
        log.set(Record.RETURN_S, back);
        if (task.item != null) {
            // May release the tasks that waited for this one.
            sim.sharedOrNull(MecWorkload.class).completed(task.item);
        }
    }

    /**
     * Adds each counter since the last drain into its column of a row, {@code row[base + columns[c]]} for
     * counter c (the columns of the counters' names in the row's layout), and zeroes them.
     */
    public void drainCounters(double[] row, int base, int[] columns) {
        for (int i = 0; i < counters.length; i++) {
            row[base + columns[i]] += counters[i];
            counters[i] = 0;
        }
    }

    private Uplink uplink() {
        return (Uplink) sim.node(device).protocol(uplinkPid);
    }
}
