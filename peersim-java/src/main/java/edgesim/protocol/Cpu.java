package edgesim.protocol;

import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.EventHandler;
import edgesim.engine.Node;
import edgesim.engine.Simulation;
import edgesim.model.DropReason;
import edgesim.model.Hardware;
import edgesim.model.Task;
import edgesim.model.TaskFifo;

/**
 * A multi-core processor with a bounded first-in first-out queue. Each core runs one task at a time at
 * the node's clock rate (a task's service time is cycles / hz). Tasks wait in arrival order; the queue
 * capacity counts waiting tasks, not running ones. A task reaching a full queue is dropped. Computing
 * energy is kappa * hz^2 per cycle (the dynamic-power CMOS model), charged to the task's origin.
 *
 * <p>With {@code serve_undecided false}, a task created here waits until the node's agent decides where it
 * runs; with {@code true} (PeersimGym's behaviour) a free core takes undecided tasks too.
 */
public final class Cpu implements EventHandler {
    /** @config number of cores. */
    public static final String PAR_CORES = "cores";
    /** @config lowest per-core clock rate, cycles per second; each node draws uniformly in [hz_min, hz_max]. */
    public static final String PAR_HZ_MIN = "hz_min";
    /** @config highest per-core clock rate, cycles per second. */
    public static final String PAR_HZ_MAX = "hz_max";
    /** @config maximum number of waiting tasks. */
    public static final String PAR_QUEUE_CAPACITY = "queue_capacity";
    /** @config effective switched capacitance: energy per cycle is kappa * hz^2 joules. */
    public static final String PAR_KAPPA = "kappa";
    /** @config whether a free core may start a task the agent has not decided on yet. */
    public static final String PAR_SERVE_UNDECIDED = "serve_undecided";
    /** @config the Radio protocol (to send results back to their origin). */
    public static final String PAR_RADIO = "radio";
    /** @config the Tasks protocol (origin bookkeeping). */
    public static final String PAR_TASKS = "tasks";

    static final int SERVICE_DONE = 1;

    record Params(int cores, double hzMin, double hzMax, int queueCapacity, double kappa, boolean serveUndecided,
            int radioPid, int tasksPid) {
        Params(ConfigReader c, Simulation sim) {
            this(c.getInt(PAR_CORES, 1, Hardware.MAX_CORES), c.getDouble(PAR_HZ_MIN, Hardware.MIN_HZ, Hardware.MAX_HZ),
                    c.getDouble(PAR_HZ_MAX, Hardware.MIN_HZ, Hardware.MAX_HZ),
                    c.getInt(PAR_QUEUE_CAPACITY, 0, 1 << 24), c.getDouble(PAR_KAPPA, 0, 1e-6),
                    c.getBoolean(PAR_SERVE_UNDECIDED), sim.pidFromKey(c, PAR_RADIO, Radio.class), sim.pidFromKey(c, PAR_TASKS, Tasks.class));
            c.require(hzMax >= hzMin, PAR_HZ_MAX, "hz_max >= hz_min (" + hzMin + ")");
        }
    }

    public static final ComponentTypes.ProtocolType TYPE = (config, sim, pid) -> {
        Params p = new Params(config, sim);
        return node -> new Cpu(p, sim, node, pid);
    };

    private final Params params;
    private final Simulation sim;
    private final Node node;
    private final int pid;
    private double hz;
    /** Whether a topology file set the clock rate (else it was drawn from [hz_min, hz_max]). */
    private boolean fixedHz;
    private TaskFifo queue;
    private Task[] running;
    private int busyCores;

    Cpu(Params params, Simulation sim, Node node, int pid) {
        this.params = params;
        this.sim = sim;
        this.node = node;
        this.pid = pid;
        this.hz = params.hzMin() == params.hzMax() ? params.hzMin()
                : sim.random("hardware").uniform(params.hzMin(), params.hzMax());
        this.queue = new TaskFifo(params.queueCapacity());
        this.running = new Task[params.cores()];
    }

    /**
     * Gives this node its own hardware (from a topology file) before the simulation starts: cores, clock
     * rate and queue capacity replace the values drawn from the configured ranges.
     */
    public void configure(int cores, double hz, int queueCapacity) {
        if (queue.size() > 0 || busyCores > 0) {
            throw new IllegalStateException("a CPU can only be configured before it holds tasks");
        }
        if (cores < 1 || cores > Hardware.MAX_CORES || !(hz >= Hardware.MIN_HZ && hz <= Hardware.MAX_HZ)
                || queueCapacity < 0) {
            throw new IllegalArgumentException("bad CPU: " + cores + " cores at " + hz + " Hz, queue " + queueCapacity);
        }
        this.hz = hz;
        this.fixedHz = true;
        this.running = new Task[cores];
        this.queue = new TaskFifo(queueCapacity);
    }

    /** Per-core clock rate, cycles per second. */
    public double hz() {
        return hz;
    }

    public int cores() {
        return running.length;
    }

    /**
     * Highest clock rate this node can have in any episode, cycles per second: its topology file's rate when
     * a file set it, else the top of the configured range it is drawn from.
     */
    public double hzBound() {
        return fixedHz ? hz : params.hzMax();
    }

    /** The configured queue capacity (before any per-node configuration). */
    public int configuredCapacity() {
        return params.queueCapacity();
    }

    public int busyCores() {
        return busyCores;
    }

    public int queuedTasks() {
        return queue.size();
    }

    public int capacity() {
        return queue.capacity();
    }

    public int freeSlots() {
        return queue.capacity() - queue.size();
    }

    /**
     * Takes a task that is now at this node (created here, or delivered from another node): starts it on a
     * free core if allowed, else queues it, else drops it for a full queue.
     */
    public void admit(Task task) {
        task.at = node.index();
        task.stage = Task.Stage.QUEUED;
        task.stageStart_s = sim.now();
        if (busyCores < running.length && eligible(task)) {
            start(task);
        } else if (!queue.offer(task)) {
            tasksOf(task).drop(task, DropReason.QUEUE_FULL);
        }
    }

    /** Index in the queue of the oldest task the agent has not decided on, or -1. */
    public int firstUndecided() {
        for (int i = 0; i < queue.size(); i++) {
            if (!queue.get(i).decided) {
                return i;
            }
        }
        return -1;
    }

    /** The i-th waiting task (0 = oldest). */
    public Task queued(int i) {
        return queue.get(i);
    }

    /** The agent keeps the i-th waiting task here. */
    public void decideLocal(int i) {
        queue.get(i).decided = true;
        startWhatFits();
    }

    /** Removes the i-th waiting task to send it elsewhere; its waiting time so far is accounted. */
    public Task take(int i) {
        Task task = queue.removeAt(i);
        task.wait_s += sim.now() - task.stageStart_s;
        return task;
    }

    /** Removes a waiting task that was dropped. */
    void withdraw(Task task) {
        queue.remove(task);
    }

    /** Stops a running task that was dropped, charging the energy of the cycles it used. */
    void abort(Task task) {
        double elapsed = sim.now() - task.stageStart_s;
        task.compute_s += elapsed;
        tasksOf(task).chargeEnergy(params.kappa() * hz * hz * elapsed * hz);
        running[task.core] = null;
        task.core = -1;
        busyCores--;
        startWhatFits();
    }

    @Override
    public void processEvent(Node node, int kind, long arg, Object ref) {
        Task task = (Task) ref;
        int core = (int) arg;
        if (running[core] != task) {
            return; // aborted at its deadline; the core has moved on
        }
        running[core] = null;
        busyCores--;
        task.compute_s += sim.now() - task.stageStart_s;
        task.core = -1;
        Tasks origin = tasksOf(task);
        origin.chargeEnergy(params.kappa() * hz * hz * task.cycles);
        if (task.origin == node.index()) {
            origin.complete(task);
        } else {
            ((Radio) node.protocol(params.radioPid())).send(task, task.origin, Radio.RESULT);
        }
        startWhatFits();
    }

    private boolean eligible(Task task) {
        return task.decided || params.serveUndecided();
    }

    private void startWhatFits() {
        for (int i = 0; i < queue.size() && busyCores < running.length; ) {
            Task task = queue.get(i);
            if (eligible(task)) {
                queue.removeAt(i);
                start(task);
            } else {
                i++;
            }
        }
    }

    private void start(Task task) {
        int core = 0;
        while (running[core] != null) {
            core++;
        }
        double now = sim.now();
        task.wait_s += now - task.stageStart_s;
        task.stage = Task.Stage.IN_SERVICE;
        task.stageStart_s = now;
        task.core = core;
        task.executor = node.index();
        task.startedAt_s = now;
        if (!task.decided) {
            tasksOf(task).servedUndecided();
        }
        running[core] = task;
        busyCores++;
        sim.schedule(task.cycles / hz, node, pid, SERVICE_DONE, core, task);
    }

    private Tasks tasksOf(Task task) {
        return (Tasks) sim.node(task.origin).protocol(params.tasksPid());
    }
}
