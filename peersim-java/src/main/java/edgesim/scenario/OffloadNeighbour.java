package edgesim.scenario;

import edgesim.config.Config;
import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Node;
import edgesim.engine.Simulation;
import edgesim.model.ShannonChannel;
import edgesim.model.Task;
import edgesim.protocol.Coordinates;
import edgesim.protocol.Cpu;
import edgesim.protocol.FaultInjector;
import edgesim.io.TopologyFile;
import edgesim.io.WorkloadFile;
import edgesim.protocol.LoadBeacon;
import edgesim.protocol.NetworkBuilder;
import edgesim.protocol.NeighbourTable;
import edgesim.protocol.PoissonArrivals;
import edgesim.protocol.Radio;
import edgesim.protocol.RadiusWiring;
import edgesim.protocol.TaskLog;
import edgesim.protocol.TraceArrivals;
import edgesim.protocol.WorkloadReplay;
import edgesim.protocol.Tasks;
import edgesim.protocol.UniformPlacement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * offload-neighbour-v0: at every decision epoch each agent node sends the oldest task in its queue that it
 * has not decided on to itself (action 0) or to neighbour k (action k). A masked action (no neighbour in
 * that slot) keeps the task local and is reported as invalid. With no undecided task the action is a no-op.
 */
public final class OffloadNeighbour implements Scenario {
    public static final String ENV_ID = "offload-neighbour-v0";

    /** @config number of agent nodes (the first nodes by index). */
    public static final String PAR_AGENTS = "env.agents";
    /** @config time between decisions, seconds. */
    public static final String PAR_EPOCH = "env.epoch_s";
    /** @config episode length, seconds; the episode is truncated after round(episode_s / epoch_s) steps. */
    public static final String PAR_EPISODE = "env.episode_s";
    /** @config protocols the view reads. */
    public static final String PAR_LINKS = "env.links";
    public static final String PAR_CPU = "env.cpu";
    public static final String PAR_RADIO = "env.radio";
    public static final String PAR_TASKS = "env.tasks";

    private static final String[] OWN_FIELDS = {
        "queue_tasks", "free_slots", "busy_cores", "cores", "cpu_hz", "head_present", "head_cycles",
        "head_input_bytes", "head_output_bytes", "head_deadline_left_s"};
    private static final String[] NEIGHBOUR_FIELDS = {
        "present", "queue_tasks", "free_slots", "age_s", "cpu_hz", "uplink_bps"};
    private static final String[] DECISION_FIELDS = {
        "decided", "invalid_action", "decision_local", "decision_cycles", "decision_input_bytes",
        "decision_target_queue_tasks", "decision_target_free_slots", "decision_target_capacity",
        "decision_target_cores", "decision_target_hz", "decision_source_hz", "decision_uplink_bps",
        "decision_propagation_s"};
    private static final String[] NODE_STATE_FIELDS = {"queue_tasks", "busy_cores", "free_slots", "radio_backlog_bytes"};

    private final Config config;
    /** Numbers of the configuration, evaluated once for all the resets. */
    private final Map<String, Double> numbers = new HashMap<>();
    private boolean validated;
    private final ComponentTypes types = componentTypes(new HashMap<>(), new HashMap<>());
    private final Spec spec;
    private final int obsDim;
    private final int metricDim;
    private final int actionCount;
    private final StepOutput out;

    private Simulation sim;
    private int agents;
    private double epoch_s;
    private int maxSteps;
    private int linksPid;
    private int cpuPid;
    private int radioPid;
    private int tasksPid;
    private int step;

    /** Validates the whole configuration by building a simulation once; throws ConfigException. */
    public OffloadNeighbour(Config config) {
        this.config = config;
        build(0);
        int maxDegree = ((NeighbourTable) sim.node(0).protocol(linksPid)).maxDegree();
        this.actionCount = 1 + maxDegree;
        this.spec = makeSpec(maxDegree);
        this.obsDim = spec.observation().size();
        this.metricDim = spec.metrics().size();
        this.out = new StepOutput(spec);
        WorkloadReplay dryRun = sim.sharedOrNull(WorkloadReplay.class);
        if (dryRun != null) {
            dryRun.close();
        }
        sim = null;
    }

    /**
     * The component types this scenario's configuration may name; {@code topologies} and {@code workloads}
     * keep topology files parsed, and workload files checked, once for all the resets of one scenario.
     */
    public static ComponentTypes componentTypes(Map<String, TopologyFile> topologies,
            Map<String, WorkloadFile.Summary> workloads) {
        return new ComponentTypes()
                .protocol("Coordinates", Coordinates.TYPE)
                .protocol("NeighbourTable", NeighbourTable.TYPE)
                .protocol("Cpu", Cpu.TYPE)
                .protocol("Radio", Radio.TYPE)
                .protocol("Tasks", Tasks.TYPE)
                .protocol("PoissonArrivals", PoissonArrivals.TYPE)
                .protocol("LoadBeacon", LoadBeacon.TYPE)
                .initializer("UniformPlacement", UniformPlacement.TYPE)
                .initializer("RadiusWiring", RadiusWiring.TYPE)
                .protocol("TraceArrivals", TraceArrivals.TYPE)
                .initializer("NetworkBuilder", NetworkBuilder.type(topologies))
                .initializer("WorkloadReplay", WorkloadReplay.type(workloads))
                .control("FaultInjector", FaultInjector.TYPE);
    }

    @Override
    public void close() {
        WorkloadReplay replay = sim == null ? null : sim.sharedOrNull(WorkloadReplay.class);
        if (replay != null) {
            replay.close();
        }
        sim = null;
    }

    private void build(long seed) {
        WorkloadReplay previous = sim == null ? null : sim.sharedOrNull(WorkloadReplay.class);
        if (previous != null) {
            previous.close(); // the previous episode's file, which may have lines left
        }
        ConfigReader reader = config.reader(numbers);
        sim = new Simulation(reader, types, seed);
        if (validated) {
            return; // the scenario's own keys were read and checked by the first build, and do not change
        }
        agents = reader.getInt(PAR_AGENTS, 1, sim.size());
        epoch_s = reader.getPositive(PAR_EPOCH);
        double episode_s = reader.getPositive(PAR_EPISODE);
        long steps = Math.round(episode_s / epoch_s);
        reader.require(steps >= 1 && steps <= Integer.MAX_VALUE, PAR_EPISODE,
                "episode_s / epoch_s between 1 and 2^31-1 steps (epoch_s = " + epoch_s + ")");
        maxSteps = (int) steps;
        linksPid = sim.pidFromKey(reader, PAR_LINKS, NeighbourTable.class);
        cpuPid = sim.pidFromKey(reader, PAR_CPU, Cpu.class);
        radioPid = sim.pidFromKey(reader, PAR_RADIO, Radio.class);
        tasksPid = sim.pidFromKey(reader, PAR_TASKS, Tasks.class);
        sim.checkAllKeysUsed();
        validated = true;
    }

    private Spec makeSpec(int maxDegree) {
        List<String> agentIds = new ArrayList<>();
        List<Integer> agentNodes = new ArrayList<>();
        int maxCapacity = 0;
        int maxCores = 0;
        double maxHz = 0;
        for (int i = 0; i < sim.size(); i++) {
            Cpu cpu = cpu(sim.node(i));
            maxCapacity = Math.max(maxCapacity, cpu.capacity());
            maxCores = Math.max(maxCores, cpu.cores());
            maxHz = Math.max(maxHz, cpu.hzBound());
        }
        // Uplink rates vary with the random placement, so bound them by the rate at the closest distance;
        // a topology's routes are fixed, so their rates count as they are.
        double maxRate = radio(sim.node(0)).channel().rateBps(ShannonChannel.MIN_DISTANCE_M);
        for (int i = 0; i < sim.size(); i++) {
            NeighbourTable table = links(sim.node(i));
            for (int k = 0; k < table.degree(); k++) {
                maxRate = Math.max(maxRate, radio(sim.node(i)).rateBps(table.neighbor(k).index()));
            }
        }
        for (int i = 0; i < agents; i++) {
            agentIds.add(sim.node(i).name());
            agentNodes.add(i);
        }
        double inf = Double.POSITIVE_INFINITY;
        List<Field> obs = new ArrayList<>(List.of(
                new Field("queue_tasks", "tasks", 0, maxCapacity),
                new Field("free_slots", "tasks", 0, maxCapacity),
                new Field("busy_cores", "cores", 0, maxCores),
                new Field("cores", "cores", 0, maxCores),
                new Field("cpu_hz", "Hz", 0, maxHz),
                new Field("head_present", "flag", 0, 1),
                new Field("head_cycles", "cycles", 0, inf),
                new Field("head_input_bytes", "bytes", 0, inf),
                new Field("head_output_bytes", "bytes", 0, inf),
                new Field("head_deadline_left_s", "s", 0, inf)));
        for (int k = 0; k < maxDegree; k++) {
            String p = "nb" + k + "_";
            obs.add(new Field(p + "present", "flag", 0, 1));
            obs.add(new Field(p + "queue_tasks", "tasks", 0, maxCapacity));
            obs.add(new Field(p + "free_slots", "tasks", 0, maxCapacity));
            obs.add(new Field(p + "age_s", "s", 0, inf));
            obs.add(new Field(p + "cpu_hz", "Hz", 0, maxHz));
            obs.add(new Field(p + "uplink_bps", "bit/s", 0, maxRate));
        }
        List<String> actions = new ArrayList<>(List.of("local"));
        for (int k = 0; k < maxDegree; k++) {
            actions.add("neighbour " + k);
        }
        List<Field> metrics = new ArrayList<>();
        for (String name : Tasks.COUNTERS) {
            metrics.add(new Field(name, unitOf(name), 0, inf));
        }
        for (String name : DECISION_FIELDS) {
            metrics.add(new Field(name, unitOf(name), 0, inf));
        }
        List<Field> state = new ArrayList<>();
        for (int i = 0; i < sim.size(); i++) {
            for (String f : NODE_STATE_FIELDS) {
                state.add(new Field(sim.node(i).name() + "." + f, unitOf(f), 0, inf));
            }
        }
        return new Spec(ENV_ID, agentIds, agentNodes, obs, actions, List.of(), metrics, state, Arrays.asList(TaskLog.FIELDS), epoch_s,
                maxSteps);
    }

    private static String unitOf(String name) {
        if (name.endsWith("_s")) {
            return "s";
        }
        if (name.endsWith("_j")) {
            return "J";
        }
        if (name.endsWith("_bytes")) {
            return "bytes";
        }
        if (name.endsWith("_hz")) {
            return "Hz";
        }
        if (name.endsWith("_bps")) {
            return "bit/s";
        }
        if (name.endsWith("_cycles") || name.equals("decision_cycles")) {
            return "cycles";
        }
        if (name.endsWith("_cores")) {
            return "cores";
        }
        if (name.equals("decided") || name.equals("invalid_action") || name.equals("decision_local")) {
            return "flag";
        }
        return "tasks";
    }

    @Override
    public Spec spec() {
        return spec;
    }

    @Override
    public String configText() {
        return config.toText();
    }

    @Override
    public StepOutput output() {
        return out;
    }

    @Override
    public long eventsProcessed() {
        return sim == null ? 0 : sim.eventsProcessed();
    }

    @Override
    public void reset(long seed) {
        build(seed);
        step = 0;
        sim.runUntil(epoch_s);
        Arrays.fill(out.metrics, 0);
        observe();
    }

    @Override
    public void step(int[] actions) {
        if (sim == null) {
            throw new ResetNeeded("step before reset: call reset(seed) first");
        }
        if (out.truncated || out.terminated) {
            throw new ResetNeeded("the episode ended at step " + step + "; call reset(seed) first");
        }
        if (actions.length != agents) {
            throw new ActionException("expected " + agents + " actions (one per agent), got " + actions.length);
        }
        for (int a = 0; a < agents; a++) {
            if (actions[a] < 0 || actions[a] >= actionCount) {
                throw new ActionException("action " + actions[a] + " for agent " + spec.agents().get(a)
                        + " is outside [0, " + actionCount + ")");
            }
        }
        Arrays.fill(out.metrics, 0);
        for (int a = 0; a < agents; a++) {
            apply(a, actions[a]);
        }
        step++;
        sim.runUntil((step + 1) * epoch_s);
        observe();
    }

    private void apply(int agent, int action) {
        Node node = sim.node(agent);
        Cpu cpu = cpu(node);
        int head = cpu.firstUndecided();
        if (head < 0) {
            return;
        }
        NeighbourTable table = links(node);
        int base = agent * metricDim + Tasks.COUNTERS.length;
        double[] m = out.metrics;
        Task task = cpu.queued(head);
        boolean valid = action == 0 || action - 1 < table.degree();
        m[base] = 1;
        m[base + 1] = valid ? 0 : 1;
        m[base + 3] = task.cycles;
        m[base + 4] = task.inputBytes;
        m[base + 10] = cpu.hz();
        if (action == 0 || !valid) {
            m[base + 2] = 1;
            m[base + 5] = head;
            m[base + 6] = cpu.freeSlots();
            m[base + 7] = cpu.capacity();
            m[base + 8] = cpu.cores();
            m[base + 9] = cpu.hz();
            cpu.decideLocal(head);
            return;
        }
        int slot = action - 1;
        Node target = table.neighbor(slot);
        Cpu targetCpu = cpu(target);
        Radio radio = radio(node);
        m[base + 5] = table.heardQueueTasks(slot);
        m[base + 6] = table.heardFreeSlots(slot);
        m[base + 7] = targetCpu.capacity();
        m[base + 8] = targetCpu.cores();
        m[base + 9] = targetCpu.hz();
        m[base + 11] = radio.rateBps(target.index());
        m[base + 12] = radio.latency_s(target.index());
        Task taken = cpu.take(head);
        taken.decided = true;
        radio.send(taken, target.index(), Radio.UPLOAD);
    }

    private void observe() {
        double now = sim.now();
        float[] obs = out.observation;
        byte[] mask = out.actionMask;
        for (int a = 0; a < agents; a++) {
            Node node = sim.node(a);
            Cpu cpu = cpu(node);
            NeighbourTable table = links(node);
            Radio radio = radio(node);
            int o = a * obsDim;
            obs[o] = cpu.queuedTasks();
            obs[o + 1] = cpu.freeSlots();
            obs[o + 2] = cpu.busyCores();
            obs[o + 3] = cpu.cores();
            obs[o + 4] = (float) cpu.hz();
            int head = cpu.firstUndecided();
            if (head >= 0) {
                Task t = cpu.queued(head);
                obs[o + 5] = 1;
                obs[o + 6] = (float) t.cycles;
                obs[o + 7] = (float) t.inputBytes;
                obs[o + 8] = (float) t.outputBytes;
                obs[o + 9] = (float) Math.max(0, t.deadline_s - now);
            } else {
                Arrays.fill(obs, o + 5, o + 10, 0f);
            }
            int mo = a * actionCount;
            mask[mo] = 1;
            for (int k = 0; k < actionCount - 1; k++) {
                int f = o + OWN_FIELDS.length + k * NEIGHBOUR_FIELDS.length;
                if (k < table.degree()) {
                    Cpu nb = cpu(table.neighbor(k));
                    obs[f] = 1;
                    obs[f + 1] = table.heardQueueTasks(k);
                    obs[f + 2] = table.heardFreeSlots(k);
                    obs[f + 3] = (float) (now - table.heardAt_s(k));
                    obs[f + 4] = (float) nb.hz();
                    obs[f + 5] = (float) radio.rateBps(table.neighbor(k).index());
                    mask[mo + 1 + k] = 1;
                } else {
                    Arrays.fill(obs, f, f + NEIGHBOUR_FIELDS.length, 0f);
                    mask[mo + 1 + k] = 0;
                }
            }
            tasks(node).drainCounters(out.metrics, a * metricDim);
        }
        float[] state = out.state;
        for (int i = 0; i < sim.size(); i++) {
            Node node = sim.node(i);
            Cpu cpu = cpu(node);
            int s = i * NODE_STATE_FIELDS.length;
            state[s] = cpu.queuedTasks();
            state[s + 1] = cpu.busyCores();
            state[s + 2] = cpu.freeSlots();
            state[s + 3] = (float) radio(node).backlogBytes();
        }
        TaskLog log = sim.shared(TaskLog.class, TaskLog::new);
        out.taskRecords = log.records();
        out.taskRecordCount = log.count();
        log.clear();
        out.step = step;
        out.time_s = now;
        out.terminated = false;
        WorkloadReplay replay = sim.sharedOrNull(WorkloadReplay.class);
        out.truncated = step >= maxSteps || (replay != null && replay.finished());
    }

    private Cpu cpu(Node node) {
        return (Cpu) node.protocol(cpuPid);
    }

    private NeighbourTable links(Node node) {
        return (NeighbourTable) node.protocol(linksPid);
    }

    private Radio radio(Node node) {
        return (Radio) node.protocol(radioPid);
    }

    private Tasks tasks(Node node) {
        return (Tasks) node.protocol(tasksPid);
    }
}
