package edgesim.protocol;

import edgesim.engine.ComponentTypes;
import edgesim.engine.EventHandler;
import edgesim.engine.Node;
import edgesim.engine.Simulation;
import edgesim.model.DropReason;
import edgesim.model.Task;

/**
 * The origin side of tasks: creates them, enforces their deadlines, and accounts for how each one ended
 * (completed with its latency parts, or dropped by reason) and for the energy spent on it, until the
 * counters are drained.
 */
public final class Tasks implements EventHandler {
    /** @config the Cpu protocol (to withdraw a task whose deadline passes while queued or running). */
    public static final String PAR_CPU = "cpu";

    static final int DEADLINE = 1;

    /**
     * Order of the counters written by {@link #drainCounters}. {@code served_undecided} counts this origin's
     * tasks that a core started before the origin's agent decided on them (a decision that never happened).
     */
    public static final String[] COUNTERS = {
        "arrived", "completed", "latency_sum_s", "wait_sum_s", "transfer_sum_s", "compute_sum_s",
        "return_sum_s", "dropped_queue_full", "dropped_deadline", "energy_j", "dropped_dependency",
        "served_undecided"};

    public static final ComponentTypes.ProtocolType TYPE = (config, sim, pid) -> {
        int cpuPid = sim.pidFromKey(config, PAR_CPU, Cpu.class);
        return node -> new Tasks(sim, node, pid, cpuPid);
    };

    private final Simulation sim;
    private final Node node;
    private final int selfPid;
    private final int cpuPid;
    private final TaskLog log;
    private final double[] counters = new double[COUNTERS.length];

    Tasks(Simulation sim, Node node, int selfPid, int cpuPid) {
        this.sim = sim;
        this.node = node;
        this.selfPid = selfPid;
        this.cpuPid = cpuPid;
        this.log = sim.shared(TaskLog.class, TaskLog::new);
    }

    /** Creates a task originating here now, with a deadline {@code relativeDeadline_s} from now. */
    public Task create(double cycles, double inputBytes, double outputBytes, double relativeDeadline_s) {
        return createWithDeadline(cycles, inputBytes, outputBytes, sim.now() + relativeDeadline_s);
    }

    /** Creates a task originating here now with an absolute deadline (infinite: none). */
    public Task createWithDeadline(double cycles, double inputBytes, double outputBytes, double deadline_s) {
        double now = sim.now();
        Task task = new Task(log.nextId(), node.index(), cycles, inputBytes, outputBytes, now, deadline_s);
        counters[0]++;
        if (deadline_s != Double.POSITIVE_INFINITY) {
            sim.schedule(Math.max(0, deadline_s - now), node, selfPid, DEADLINE, 0, task);
        }
        return task;
    }

    @Override
    public void processEvent(Node node, int kind, long arg, Object ref) {
        Task task = (Task) ref;
        if (kind == DEADLINE && !task.isOver()) {
            drop(task, DropReason.DEADLINE);
        }
    }

    /** The task's result is back here: record it. */
    void complete(Task task) {
        task.stage = Task.Stage.DONE;
        counters[1]++;
        counters[2] += task.wait_s + task.transfer_s + task.compute_s + task.return_s;
        counters[3] += task.wait_s;
        counters[4] += task.transfer_s;
        counters[5] += task.compute_s;
        counters[6] += task.return_s;
        log.add(task, sim.now());
        if (task.listener != null) {
            task.listener.finished(task);
        }
    }

    /**
     * Drops a task of this origin wherever it is; a transfer in progress is discarded on delivery, and a task
     * waiting for its dependencies is never released.
     */
    void drop(Task task, DropReason reason) {
        Task.Stage stage = task.stage;
        task.stage = Task.Stage.DROPPED;
        task.dropReason = reason;
        counters[switch (reason) {
            case QUEUE_FULL -> 7;
            case DEADLINE -> 8;
            case DEPENDENCY -> 10;
        }]++;
        if (stage == Task.Stage.QUEUED) {
            ((Cpu) sim.node(task.at).protocol(cpuPid)).withdraw(task);
        } else if (stage == Task.Stage.IN_SERVICE) {
            ((Cpu) sim.node(task.at).protocol(cpuPid)).abort(task);
        }
        if (task.listener != null) {
            task.listener.finished(task);
        }
    }

    void chargeEnergy(double joules) {
        counters[9] += joules;
    }

    /** A core started one of this origin's tasks before its agent decided on it. */
    void servedUndecided() {
        counters[11]++;
    }

    /** Adds the counters since the last drain into {@code out[offset..]} and zeroes them. */
    public void drainCounters(double[] out, int offset) {
        for (int i = 0; i < counters.length; i++) {
            out[offset + i] = counters[i];
            counters[i] = 0;
        }
    }
}
