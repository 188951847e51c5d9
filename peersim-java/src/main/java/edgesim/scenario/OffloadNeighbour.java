package edgesim.scenario;

import edgesim.config.Config;
import edgesim.config.ConfigReader;
import edgesim.engine.ComponentPlugin;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Node;
import edgesim.engine.Simulation;
import edgesim.io.FileCache;
import edgesim.model.RecordLog;
import edgesim.model.ShannonChannel;
import edgesim.model.Task;
import edgesim.protocol.Cpu;
import edgesim.protocol.NeighbourTable;
import edgesim.protocol.Protocols;
import edgesim.protocol.Radio;
import edgesim.protocol.TaskLog;
import edgesim.protocol.Tasks;
import edgesim.protocol.init.Initializers;
import edgesim.protocol.init.WorkloadReplay;
import java.util.ArrayList;
import java.util.List;

/**
 * offload-neighbour-v0: at every decision epoch each agent node sends the oldest task in its queue that it
 * has not decided on to itself (action 0) or to neighbour k (action k). A masked action (no neighbour in
 * that slot) keeps the task local and is reported as invalid. With no undecided task the action is a no-op.
 */
public final class OffloadNeighbour extends AbstractScenario {
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

    private static final double INF = Double.POSITIVE_INFINITY;

    private int agents;
    private double epoch_s;
    private int maxSteps;
    private int linksPid;
    private int cpuPid;
    private int radioPid;
    private int tasksPid;

    private final int obsDim;
    private final int metricDim;
    private final int neighbours;
    // Observation: the agent's node, its head task, and per neighbour slot what it last heard.
    private final Layout.Column queueTasks;
    private final Layout.Column freeSlots;
    private final Layout.Column busyCores;
    private final Layout.Column cores;
    private final Layout.Column cpuHz;
    private final Layout.Column headPresent;
    private final Layout.Column headCycles;
    private final Layout.Column headInputBytes;
    private final Layout.Column headOutputBytes;
    private final Layout.Column headDeadlineLeft;
    private final Layout.Repeated nbPresent;
    private final Layout.Repeated nbQueueTasks;
    private final Layout.Repeated nbFreeSlots;
    private final Layout.Repeated nbAge;
    private final Layout.Repeated nbCpuHz;
    private final Layout.Repeated nbUplinkBps;
    // Metrics: the origin's task counters, then the decision the simulator applied.
    private final int[] counterColumns;
    private final Layout.Column decided;
    private final Layout.Column invalidAction;
    private final Layout.Column decisionLocal;
    private final Layout.Column decisionCycles;
    private final Layout.Column decisionInputBytes;
    private final Layout.Column targetQueueTasks;
    private final Layout.Column targetFreeSlots;
    private final Layout.Column targetCapacity;
    private final Layout.Column targetCores;
    private final Layout.Column targetHz;
    private final Layout.Column sourceHz;
    private final Layout.Column uplinkBps;
    private final Layout.Column propagation;
    // State, per node.
    private final Layout.Repeated nodeQueueTasks;
    private final Layout.Repeated nodeBusyCores;
    private final Layout.Repeated nodeFreeSlots;
    private final Layout.Repeated nodeRadioBacklog;

    /**
     * Validates the whole configuration by building a simulation once (throws ConfigException); the component
     * types of {@code plugins} are added to the scenario's own.
     */
    public OffloadNeighbour(Config config, List<ComponentPlugin> plugins) {
        super(config, Initializers.register(Protocols.register(new ComponentTypes()), new FileCache()), plugins);
        Simulation sim = validate();
        neighbours = links(sim.node(0)).maxDegree();
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

        Layout obs = new Layout();
        queueTasks = obs.add("queue_tasks", 0, maxCapacity);
        freeSlots = obs.add("free_slots", 0, maxCapacity);
        busyCores = obs.add("busy_cores", 0, maxCores);
        cores = obs.add("cores", 0, maxCores);
        cpuHz = obs.add("cpu_hz", 0, maxHz);
        headPresent = obs.flag("head_present");
        headCycles = obs.add("head_cycles", 0, INF);
        headInputBytes = obs.add("head_input_bytes", 0, INF);
        headOutputBytes = obs.add("head_output_bytes", 0, INF);
        headDeadlineLeft = obs.add("head_deadline_left_s", 0, INF);
        Layout.Group nb = obs.group(neighbours, k -> "nb" + k + "_");
        nbPresent = nb.flag("present");
        nbQueueTasks = nb.add("queue_tasks", 0, maxCapacity);
        nbFreeSlots = nb.add("free_slots", 0, maxCapacity);
        nbAge = nb.add("age_s", 0, INF);
        nbCpuHz = nb.add("cpu_hz", 0, maxHz);
        nbUplinkBps = nb.add("uplink_bps", 0, maxRate);

        Layout metrics = new Layout();
        metrics.addAll(Tasks.Counter.values());
        decided = metrics.add("decided", "flag", 0, INF);
        invalidAction = metrics.add("invalid_action", "flag", 0, INF);
        decisionLocal = metrics.add("decision_local", "flag", 0, INF);
        decisionCycles = metrics.add("decision_cycles", 0, INF);
        decisionInputBytes = metrics.add("decision_input_bytes", 0, INF);
        targetQueueTasks = metrics.add("decision_target_queue_tasks", 0, INF);
        targetFreeSlots = metrics.add("decision_target_free_slots", 0, INF);
        targetCapacity = metrics.add("decision_target_capacity", 0, INF);
        targetCores = metrics.add("decision_target_cores", 0, INF);
        targetHz = metrics.add("decision_target_hz", 0, INF);
        sourceHz = metrics.add("decision_source_hz", 0, INF);
        uplinkBps = metrics.add("decision_uplink_bps", 0, INF);
        propagation = metrics.add("decision_propagation_s", 0, INF);
        counterColumns = metrics.indexes(Tasks.Counter.values());

        Layout state = new Layout();
        Layout.Group node = state.group(sim.size(), i -> sim.node(i).name() + ".");
        nodeQueueTasks = node.add("queue_tasks", 0, INF);
        nodeBusyCores = node.add("busy_cores", 0, INF);
        nodeFreeSlots = node.add("free_slots", 0, INF);
        nodeRadioBacklog = node.add("radio_backlog_bytes", 0, INF);

        List<String> actions = new ArrayList<>(List.of("local"));
        for (int k = 0; k < neighbours; k++) {
            actions.add("neighbour " + k);
        }
        obsDim = obs.size();
        metricDim = metrics.size();
        publish(Spec.builder(ENV_ID).agentNodes(sim, agents).observation(obs).actions(actions).metrics(metrics)
                .state(state).taskRecord(Layout.names(TaskLog.Record.values())).timing(epoch_s, maxSteps).build());
    }

    @Override
    protected void readKeys(ConfigReader reader, Simulation sim) {
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
    }

    @Override
    protected void begin() {
        sim().runUntil(epoch_s);
        truncateIfOver();
    }

    @Override
    protected void apply(int[] actions) {
        for (int a = 0; a < agents; a++) {
            apply(a, actions[a]);
        }
    }

    @Override
    protected void advance() {
        sim().runUntil((step() + 1) * epoch_s);
        truncateIfOver();
    }

    private void truncateIfOver() {
        WorkloadReplay replay = sim().sharedOrNull(WorkloadReplay.class);
        if (step() >= maxSteps || (replay != null && replay.finished())) {
            truncate();
        }
    }

    @Override
    protected RecordLog taskLog(Simulation sim) {
        return sim.shared(TaskLog.class, TaskLog::new).records();
    }

    private void apply(int agent, int action) {
        Node node = sim().node(agent);
        Cpu cpu = cpu(node);
        int head = cpu.firstUndecided();
        if (head < 0) {
            return;
        }
        NeighbourTable table = links(node);
        int row = agent * metricDim;
        double[] m = output().metrics;
        Task task = cpu.queued(head);
        boolean valid = action == 0 || action - 1 < table.degree();
        m[decided.at(row)] = 1;
        m[invalidAction.at(row)] = valid ? 0 : 1;
        m[decisionCycles.at(row)] = task.cycles;
        m[decisionInputBytes.at(row)] = task.inputBytes;
        m[sourceHz.at(row)] = cpu.hz();
        if (action == 0 || !valid) {
            m[decisionLocal.at(row)] = 1;
            m[targetQueueTasks.at(row)] = head;
            m[targetFreeSlots.at(row)] = cpu.freeSlots();
            m[targetCapacity.at(row)] = cpu.capacity();
            m[targetCores.at(row)] = cpu.cores();
            m[targetHz.at(row)] = cpu.hz();
            cpu.decideLocal(head);
            return;
        }
        int slot = action - 1;
        Node target = table.neighbor(slot);
        Cpu targetCpu = cpu(target);
        Radio radio = radio(node);
        m[targetQueueTasks.at(row)] = table.heardQueueTasks(slot);
        m[targetFreeSlots.at(row)] = table.heardFreeSlots(slot);
        m[targetCapacity.at(row)] = targetCpu.capacity();
        m[targetCores.at(row)] = targetCpu.cores();
        m[targetHz.at(row)] = targetCpu.hz();
        m[uplinkBps.at(row)] = radio.rateBps(target.index());
        m[propagation.at(row)] = radio.latency_s(target.index());
        Task taken = cpu.take(head);
        taken.decided = true;
        radio.send(taken, target.index(), Radio.UPLOAD);
    }

    @Override
    protected void observe(StepOutput out) {
        Simulation sim = sim();
        double now = sim.now();
        float[] obs = out.observation;
        byte[] mask = out.actionMask;
        for (int a = 0; a < agents; a++) {
            Node node = sim.node(a);
            Cpu cpu = cpu(node);
            NeighbourTable table = links(node);
            Radio radio = radio(node);
            int o = a * obsDim;
            obs[queueTasks.at(o)] = cpu.queuedTasks();
            obs[freeSlots.at(o)] = cpu.freeSlots();
            obs[busyCores.at(o)] = cpu.busyCores();
            obs[cores.at(o)] = cpu.cores();
            obs[cpuHz.at(o)] = (float) cpu.hz();
            int head = cpu.firstUndecided();
            Task t = head >= 0 ? cpu.queued(head) : null;
            obs[headPresent.at(o)] = t != null ? 1 : 0;
            obs[headCycles.at(o)] = t != null ? (float) t.cycles : 0f;
            obs[headInputBytes.at(o)] = t != null ? (float) t.inputBytes : 0f;
            obs[headOutputBytes.at(o)] = t != null ? (float) t.outputBytes : 0f;
            obs[headDeadlineLeft.at(o)] = t != null ? (float) Math.max(0, t.deadline_s - now) : 0f;
            int mo = a * (1 + neighbours);
            mask[mo] = 1;
            for (int k = 0; k < neighbours; k++) {
                boolean present = k < table.degree();
                obs[nbPresent.at(o, k)] = present ? 1 : 0;
                obs[nbQueueTasks.at(o, k)] = present ? table.heardQueueTasks(k) : 0;
                obs[nbFreeSlots.at(o, k)] = present ? table.heardFreeSlots(k) : 0;
                obs[nbAge.at(o, k)] = present ? (float) (now - table.heardAt_s(k)) : 0f;
                obs[nbCpuHz.at(o, k)] = present ? (float) cpu(table.neighbor(k)).hz() : 0f;
                obs[nbUplinkBps.at(o, k)] = present ? (float) radio.rateBps(table.neighbor(k).index()) : 0f;
                mask[mo + 1 + k] = (byte) (present ? 1 : 0);
            }
            tasks(node).drainCounters(out.metrics, a * metricDim, counterColumns);
        }
        for (int i = 0; i < sim.size(); i++) {
            Node node = sim.node(i);
            Cpu cpu = cpu(node);
            out.state[nodeQueueTasks.at(0, i)] = cpu.queuedTasks();
            out.state[nodeBusyCores.at(0, i)] = cpu.busyCores();
            out.state[nodeFreeSlots.at(0, i)] = cpu.freeSlots();
            out.state[nodeRadioBacklog.at(0, i)] = (float) radio(node).backlogBytes();
        }
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
