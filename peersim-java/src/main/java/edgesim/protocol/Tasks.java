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
     * The counters of this origin's tasks since the last {@link #drainCounters}, each named by its field (the
     * constant in lower case). {@code SERVED_UNDECIDED} counts the tasks that a core started before the
     * origin's agent decided on them (a decision that never happened).
     */
    public enum Counter {
        ARRIVED, COMPLETED, LATENCY_SUM_S, WAIT_SUM_S, TRANSFER_SUM_S, COMPUTE_SUM_S, RETURN_SUM_S,
        DROPPED_QUEUE_FULL, DROPPED_DEADLINE, ENERGY_J, DROPPED_DEPENDENCY, SERVED_UNDECIDED
    }

    private static final int ARRIVED = Counter.ARRIVED.ordinal();
    private static final int COMPLETED = Counter.COMPLETED.ordinal();
    private static final int LATENCY = Counter.LATENCY_SUM_S.ordinal();
    private static final int WAIT = Counter.WAIT_SUM_S.ordinal();
    private static final int TRANSFER = Counter.TRANSFER_SUM_S.ordinal();
    private static final int COMPUTE = Counter.COMPUTE_SUM_S.ordinal();
    private static final int RETURN = Counter.RETURN_SUM_S.ordinal();
    private static final int ENERGY = Counter.ENERGY_J.ordinal();
    private static final int SERVED_UNDECIDED = Counter.SERVED_UNDECIDED.ordinal();

    public static final ComponentTypes.ProtocolType TYPE = (config, sim, pid) -> {
        int cpuPid = sim.pidFromKey(config, PAR_CPU, Cpu.class);
        return node -> new Tasks(sim, node, pid, cpuPid);
    };

    private final Simulation sim;
    private final Node node;
    private final int selfPid;
    private final int cpuPid;
    private final TaskLog log;
    private final double[] counters = new double[Counter.values().length];

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
        counters[ARRIVED]++;
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
        counters[COMPLETED]++;
        counters[LATENCY] += task.wait_s + task.transfer_s + task.compute_s + task.return_s;
        counters[WAIT] += task.wait_s;
        counters[TRANSFER] += task.transfer_s;
        counters[COMPUTE] += task.compute_s;
        counters[RETURN] += task.return_s;
        log.add(task, sim.now());
        if (task.listener != null) {
            task.listener.finished(task);
        }
    }

    /**
     * Drops a task of this origin wherever it is; a transfer in progress is discarded on delivery, and a task
     * waiting for its dependencies is never released.
     */
    public void drop(Task task, DropReason reason) {
        Task.Stage stage = task.stage;
        task.stage = Task.Stage.DROPPED;
        task.dropReason = reason;
        Counter dropped = switch (reason) {
            case QUEUE_FULL -> Counter.DROPPED_QUEUE_FULL;
            case DEADLINE -> Counter.DROPPED_DEADLINE;
            case DEPENDENCY -> Counter.DROPPED_DEPENDENCY;
        };
        counters[dropped.ordinal()]++;
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
        counters[ENERGY] += joules;
    }

    /** A core started one of this origin's tasks before its agent decided on it. */
    void servedUndecided() {
        counters[SERVED_UNDECIDED]++;
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
}
