package edgesim.protocol;

import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.EventHandler;
import edgesim.engine.Node;
import edgesim.engine.Rng;
import edgesim.engine.Simulation;
import edgesim.model.Task;
import edgesim.model.TaskBounds;

/**
 * Tasks arriving at a node as a Poisson process: exponential inter-arrival times, so any number of tasks
 * may arrive within a decision epoch. The first {@code agents} nodes arrive at {@code rate_hz}, the others
 * at {@code background_rate_hz}; background tasks are decided (they run where they arrive). Task sizes and
 * relative deadlines are uniform in their ranges. Streams: "arrivals" for times, "tasks" for sizes.
 */
public final class PoissonArrivals implements EventHandler {
    /** @config arrival rate at agent nodes, tasks per second (0 disables). */
    public static final String PAR_RATE = "rate_hz";
    /** @config arrival rate at the other nodes, tasks per second (0 disables). */
    public static final String PAR_BACKGROUND_RATE = "background_rate_hz";
    /** @config number of agent nodes (the first nodes by index). */
    public static final String PAR_AGENTS = "agents";
    /** @config task work range, CPU cycles. */
    public static final String PAR_CYCLES_MIN = "cycles_min";
    public static final String PAR_CYCLES_MAX = "cycles_max";
    /** @config task input size range, bytes. */
    public static final String PAR_INPUT_MIN = "input_bytes_min";
    public static final String PAR_INPUT_MAX = "input_bytes_max";
    /** @config task result size range, bytes. */
    public static final String PAR_OUTPUT_MIN = "output_bytes_min";
    public static final String PAR_OUTPUT_MAX = "output_bytes_max";
    /** @config relative deadline range, seconds after arrival. */
    public static final String PAR_DEADLINE_MIN = "deadline_s_min";
    public static final String PAR_DEADLINE_MAX = "deadline_s_max";
    /** @config the Cpu protocol that receives new tasks. */
    public static final String PAR_CPU = "cpu";
    /** @config the Tasks protocol that creates them. */
    public static final String PAR_TASKS = "tasks";

    static final int ARRIVAL = 1;

    record Params(double rate, double backgroundRate, int agents, double cyclesMin, double cyclesMax,
            double inputMin, double inputMax, double outputMin, double outputMax, double deadlineMin,
            double deadlineMax, int cpuPid, int tasksPid) {
        static Params read(ConfigReader c, Simulation sim) {
            Params p = new Params(c.getDouble(PAR_RATE, 0, 1e9), c.getDouble(PAR_BACKGROUND_RATE, 0, 1e9),
                    c.getInt(PAR_AGENTS, 0, sim.size()),
                    c.getPositive(PAR_CYCLES_MIN), c.getPositive(PAR_CYCLES_MAX),
                    c.getDouble(PAR_INPUT_MIN, 0, 1e15), c.getDouble(PAR_INPUT_MAX, 0, 1e15),
                    c.getDouble(PAR_OUTPUT_MIN, 0, 1e15), c.getDouble(PAR_OUTPUT_MAX, 0, 1e15),
                    c.getPositive(PAR_DEADLINE_MIN), c.getPositive(PAR_DEADLINE_MAX),
                    sim.pidFromKey(c, PAR_CPU, Cpu.class), sim.pidFromKey(c, PAR_TASKS, Tasks.class));
            c.require(p.cyclesMax >= p.cyclesMin, PAR_CYCLES_MAX, "cycles_max >= cycles_min (" + p.cyclesMin + ")");
            c.require(p.inputMax >= p.inputMin, PAR_INPUT_MAX, "input_bytes_max >= input_bytes_min (" + p.inputMin + ")");
            c.require(p.outputMax >= p.outputMin, PAR_OUTPUT_MAX,
                    "output_bytes_max >= output_bytes_min (" + p.outputMin + ")");
            c.require(p.deadlineMax >= p.deadlineMin, PAR_DEADLINE_MAX,
                    "deadline_s_max >= deadline_s_min (" + p.deadlineMin + ")");
            return p;
        }
    }

    public static final ComponentTypes.ProtocolType TYPE = (config, sim, pid) -> {
        Params p = Params.read(config, sim);
        return node -> new PoissonArrivals(p, sim, node, pid);
    };

    private final Params params;
    private final Simulation sim;
    private final Node node;
    private final int pid;
    private final double rate;
    private final Rng times;
    private final Rng sizes;

    PoissonArrivals(Params params, Simulation sim, Node node, int pid) {
        this.params = params;
        this.sim = sim;
        this.node = node;
        this.pid = pid;
        this.rate = node.index() < params.agents() ? params.rate() : params.backgroundRate();
        this.times = sim.random("arrivals");
        this.sizes = sim.random("tasks");
        if (rate > 0) {
            sim.schedule(times.exponential(rate), node, pid, ARRIVAL, 0, null);
        }
    }

    @Override
    public void processEvent(Node node, int kind, long arg, Object ref) {
        Task task = ((Tasks) node.protocol(params.tasksPid())).create(
                between(params.cyclesMin(), params.cyclesMax()),
                between(params.inputMin(), params.inputMax()),
                between(params.outputMin(), params.outputMax()),
                between(params.deadlineMin(), params.deadlineMax()));
        task.decided = node.index() >= params.agents();
        ((Cpu) node.protocol(params.cpuPid())).admit(task);
        sim.schedule(times.exponential(rate), node, pid, ARRIVAL, 0, null);
    }

    /** The largest task this protocol can create at an agent node (none when agents have no arrivals). */
    public TaskBounds agentTasks() {
        return params.rate() > 0 ? new TaskBounds(params.cyclesMax(), params.inputMax(), params.outputMax(),
                params.deadlineMax()) : TaskBounds.NONE;
    }

    private double between(double lo, double hi) {
        return lo == hi ? lo : sizes.uniform(lo, hi);
    }
}
