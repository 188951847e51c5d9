package edgesim.scenario.mec;

import edgesim.config.Config;
import edgesim.config.ConfigReader;
import edgesim.engine.ComponentPlugin;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Rng;
import edgesim.engine.Simulation;
import edgesim.io.FileCache;
import edgesim.model.PathLossChannel;
import edgesim.model.RecordLog;
import edgesim.model.TaskBounds;
import edgesim.protocol.mec.MecComponents;
import edgesim.protocol.mec.MecCpu;
import edgesim.protocol.mec.MecNetwork;
import edgesim.protocol.mec.MecTasks;
import edgesim.protocol.mec.MecWorkload;
import edgesim.protocol.mec.Uplink;
import edgesim.scenario.AbstractScenario;
import edgesim.scenario.Layout;
import edgesim.scenario.ObservationScaling;
import edgesim.scenario.Spec;
import edgesim.scenario.StepOutput;
import java.util.List;

/**
 * offload-mec-v0: ExplabOff's decision problem on physical models. At every epoch each mobile device decides
 * for one task (input bytes, CPU cycles, output bytes, a deadline): which edge server, and the fraction p to
 * offload. The local part, (1 - p) of the cycles, queues on the device's CPU; the offloaded part uploads p of
 * the bytes over the device's uplink (one upload at a time, at the link model's rate: a path-loss channel in a
 * cell, a route's bottleneck and latency on a topology), computes p of the cycles on the server's CPU (shared
 * first-in first-out or by processor sharing), and returns p of the output bytes to the device. A task is done
 * when both parts are; it misses its deadline if that is later than the deadline (it still completes).
 * Energy: local and edge computing (kappa hz^2 per cycle) and transmission (power x time on air).
 *
 * <p>Tasks come from the built-in generator (one per device per epoch, drawn when the epoch starts, deadline
 * {@code task_deadline_s} later, no output bytes; decisions at t = 0, epoch_s, ...) or from a workload file
 * ({@link MecWorkload}): a replayed task arrives at its device at its arrival time, waits for its dependencies,
 * then queues for the device's decision; at each epoch a device decides for the oldest task in its queue, and
 * a device with none does nothing. With a workload the clock starts one epoch before the first decision (at t =
 * epoch_s), so that the tasks arriving in [0, epoch_s) are decided first. A task's latency counts from its
 * arrival.
 *
 * <p>Each step reports, per device, the decision it applied and the tasks of that device that finished during
 * the step. The episode is truncated after {@code episode_steps} decisions, or, replaying a workload with
 * {@code end truncate}, once every replayed task has finished. After the last decision the simulation runs on
 * without new decisions until every decided task is done, so the last frame accounts for them all; it reports
 * the replayed tasks still awaiting their dependencies or a decision as {@code unfinished}. No replayed task
 * arrives after the last decision epoch.
 *
 * <p>Nodes 0 .. n_devices-1 are the devices, one agent each, named by node ({@code md_0 ...} in a cell, the
 * file's names on a topology, see {@link MecNetwork}); the servers follow. A device's tasks are followed from
 * decision to completion, and accounted for, by its {@link MecTasks} protocol.
 */
public final class OffloadMec extends AbstractScenario {
    public static final String ENV_ID = "offload-mec-v0";

    /** @config number of devices (the first nodes; one agent each). */
    public static final String PAR_DEVICES = "env.devices";
    /** @config number of edge servers (the nodes after the devices). */
    public static final String PAR_SERVERS = "env.servers";
    /** @config time between decisions, seconds. */
    public static final String PAR_EPOCH = "env.epoch_s";
    /** @config decisions per episode. */
    public static final String PAR_STEPS = "env.episode_steps";
    /** @config task input size, bytes, uniform in [min, max] (built-in generator). */
    public static final String PAR_BYTES_MIN = "env.task_bytes_min";
    public static final String PAR_BYTES_MAX = "env.task_bytes_max";
    /** @config CPU cycles per input byte (built-in generator). */
    public static final String PAR_CYCLES_PER_BYTE = "env.cycles_per_byte";
    /** @config relative deadline of every task, seconds (built-in generator). */
    public static final String PAR_DEADLINE = "env.task_deadline_s";
    /** @config protocols the view reads. */
    public static final String PAR_LOCAL = "env.local";
    public static final String PAR_EDGE = "env.edge";
    public static final String PAR_UPLINK = "env.uplink";
    public static final String PAR_TASKS = "env.tasks";
    /** @config {@code raw} (SI units) or {@code normalised} (each bounded field divided by its declared high). */
    public static final String PAR_OBSERVATION = "env.observation";

    /** Bound on the epochs the end-of-episode drain may take; only a modelling error could reach it. */
    private static final int MAX_DRAIN_EPOCHS = 10_000_000;
    private static final double INF = Double.POSITIVE_INFINITY;

    private int devices;
    private int servers;
    private double epoch_s;
    private int maxSteps;
    private double bytesMin;
    private double bytesMax;
    private double cyclesPerByte;
    private double deadline_s;
    private int localPid;
    private int edgePid;
    private int uplinkPid;
    private int tasksPid;
    private boolean normalised;

    /** The replay of this episode, or null with the built-in generator. */
    private MecWorkload workload;
    /** Generated tasks appear when an epoch starts; replayed ones during it, so they are decided at its end. */
    private double firstDecision_s;
    /** The input bytes of each device's generated task for the coming decision. */
    private double[] bytes;
    private double[] headBytes;
    private MecWorkload.Item[] heads;
    /** Each server's backlog this step, computed once for all devices (a walk over its jobs). */
    private double[] serverBacklog;

    /** The longest relative deadline of a task (infinite if a replayed task has none). */
    private final double headDeadlineMax;
    private final int obsDim;
    private final int metricDim;
    // Observation. Fields after es{k}_jobs and md{j}_task_bytes came with topologies and workloads, so the
    // indices before them are those of the first layout.
    private final Layout.Column taskBytes;
    private final Layout.Column taskCycles;
    private final Layout.Column taskDeadline;
    private final Layout.Column cpuHz;
    private final Layout.Column localBacklog;
    private final Layout.Column uplinkBacklog;
    private final Layout.Repeated serverUplinkBps;
    private final Layout.Repeated serverCpuHz;
    private final Layout.Repeated serverBacklogCycles;
    private final Layout.Repeated serverJobs;
    private final Layout.Repeated deviceTaskBytes;
    private final Layout.Column taskPresent;
    private final Layout.Column taskOutputBytes;
    private final Layout.Column queuedTasks;
    private final Layout.Column cores;
    private final Layout.Repeated serverCores;
    private final Layout.Repeated serverLatency;
    // Metrics: the decision applied, the sums over the device's tasks finished in the step (MecTasks), what
    // the replay counted (MecWorkload).
    private final Layout.Column server;
    private final Layout.Column offloadRatio;
    private final Layout.Column decidedBytes;
    private final Layout.Column decidedCycles;
    private final Layout.Column decidedUplinkBps;
    private final Layout.Column decided;
    private final Layout.Column arrived;
    private final Layout.Column unfinished;
    private final int[] taskColumns;
    private final int[] workloadColumns;

    /**
     * Validates the whole configuration by building a simulation once (throws ConfigException); the component
     * types of {@code plugins} are added to the scenario's own.
     */
    public OffloadMec(Config config, List<ComponentPlugin> plugins) {
        super(config, MecComponents.register(new ComponentTypes(), new FileCache()), plugins);
        Simulation sim = validate();
        boolean replay = workload != null;
        TaskBounds tasks = replay ? workload.summary().largest()
                : new TaskBounds(bytesMax * cyclesPerByte, bytesMax, 0, deadline_s);
        headDeadlineMax = tasks.relativeDeadline_s();
        // Hardware and routes are fixed for the scenario's life (drawn clock rates within their configured
        // range), so their bounds are known now; rates in a cell vary with the placement, and are bounded by
        // the channel's rate at its closest distance.
        double deviceHz = 0;
        int deviceCores = 0;
        double localBacklogMax = 0;
        for (int m = 0; m < devices; m++) {
            deviceHz = Math.max(deviceHz, localCpu(m).hzBound());
            deviceCores = Math.max(deviceCores, localCpu(m).cores());
            localBacklogMax = Math.max(localBacklogMax,
                    maxSteps * tasks.cycles() / (localCpu(m).hzFloor() * localCpu(m).cores()));
        }
        double[] rateMax = new double[servers];
        double[] latencyMax = new double[servers];
        // The slowest rate: in a cell the channel's at the farthest a device can be from a server; on a
        // topology the slowest route's (routes are fixed); unknown for a network built otherwise.
        MecNetwork network = sim.sharedOrNull(MecNetwork.class);
        double rateMin = network == null ? 0
                : network.cellSpan_m() >= 0 ? uplink(0).channel().rateBps(network.cellSpan_m()) : INF;
        for (int k = 0; k < servers; k++) {
            rateMax[k] = uplink(0).channel().rateBps(PathLossChannel.MIN_DISTANCE_M);
            for (int m = 0; m < devices; m++) {
                rateMax[k] = Math.max(rateMax[k], uplink(m).rateBps(devices + k));
                latencyMax[k] = Math.max(latencyMax[k], uplink(m).latency_s(devices + k));
                if (network != null && Double.isNaN(network.cellSpan_m())) {
                    rateMin = Math.min(rateMin, uplink(m).rateBps(devices + k));
                }
            }
        }
        // Backlogs hold at most the work of every decision so far: one task per device and step.
        double uplinkBacklogMax = rateMin > 0 ? maxSteps * tasks.inputBytes() * 8 / rateMin : INF;
        double jobsMax = (double) devices * maxSteps;

        Layout obs = new Layout();
        taskBytes = obs.add("task_bytes", 0, tasks.inputBytes());
        taskCycles = obs.add("task_cycles", 0, tasks.cycles());
        taskDeadline = obs.add("task_deadline_s", 0, headDeadlineMax);
        cpuHz = obs.add("cpu_hz", 0, deviceHz);
        localBacklog = obs.add("local_backlog_s", 0, localBacklogMax);
        uplinkBacklog = obs.add("uplink_backlog_s", 0, uplinkBacklogMax);
        Layout.Group perServer = obs.group(servers, k -> "es" + k + "_");
        serverUplinkBps = perServer.add("uplink_bps", 0, k -> rateMax[k]);
        serverCpuHz = perServer.add("cpu_hz", 0, k -> edgeCpu(k).hzBound());
        serverBacklogCycles = perServer.add("backlog_cycles", 0, jobsMax * tasks.cycles());
        serverJobs = perServer.add("jobs", "jobs", 0, k -> jobsMax);
        deviceTaskBytes = obs.group(devices, j -> "md" + j + "_").add("task_bytes", 0, tasks.inputBytes());
        taskPresent = obs.flag("task_present");
        taskOutputBytes = obs.add("task_output_bytes", 0, tasks.outputBytes());
        queuedTasks = obs.add("queued_tasks", 0, replay ? workload.queueCapacity() : 1);
        cores = obs.add("cores", 0, deviceCores);
        Layout.Group serverLinks = obs.group(servers, k -> "es" + k + "_");
        serverCores = serverLinks.add("cores", 0, k -> edgeCpu(k).cores());
        serverLatency = serverLinks.add("latency_s", 0, k -> latencyMax[k]);

        Layout metrics = new Layout();
        server = metrics.add("server", "index", 0, INF);
        offloadRatio = metrics.add("offload_ratio", "fraction", 0, INF);
        decidedBytes = metrics.add("task_bytes", 0, INF);
        decidedCycles = metrics.add("task_cycles", 0, INF);
        decidedUplinkBps = metrics.add("uplink_bps", 0, INF);
        for (String sum : List.of("completed", "latency_sum_s", "local_latency_sum_s", "edge_latency_sum_s",
                "upload_sum_s", "missed", "energy_local_j", "energy_tx_j", "energy_edge_j")) {
            metrics.add(sum, 0, INF);
        }
        decided = metrics.add("decided", "flag", 0, INF);
        arrived = metrics.add("arrived", 0, INF);
        metrics.add("dropped_queue_full", 0, INF);
        metrics.add("dropped_dependency", 0, INF);
        unfinished = metrics.add("unfinished", 0, INF);
        metrics.add("return_sum_s", 0, INF);
        taskColumns = metrics.indexes(MecTasks.Counter.values());
        workloadColumns = metrics.indexes(MecWorkload.Counter.values());

        obsDim = obs.size();
        metricDim = metrics.size();
        publish(Spec.builder(ENV_ID).agentNodes(sim, devices).observation(obs).continuousActions(MecActions.FIELDS)
                .metrics(metrics).taskRecord(Layout.names(MecTasks.Record.values())).timing(epoch_s, maxSteps)
                .build(), normalised);
    }

    @Override
    protected void readKeysFirst(ConfigReader reader) {
        // The counts first, so that a bad one is reported under its own name rather than by a component.
        devices = reader.getInt(PAR_DEVICES, 1, 100_000);
        servers = reader.getInt(PAR_SERVERS, 1, 100_000);
    }

    @Override
    protected void readKeys(ConfigReader reader, Simulation sim) {
        reader.require(sim.size() == devices + servers, Simulation.PAR_SIZE,
                "n_devices + n_servers = " + (devices + servers) + " nodes");
        epoch_s = reader.getPositive(PAR_EPOCH);
        maxSteps = reader.getInt(PAR_STEPS, 1, 1_000_000);
        bytesMin = reader.getPositive(PAR_BYTES_MIN);
        bytesMax = reader.getPositive(PAR_BYTES_MAX);
        reader.require(bytesMax >= bytesMin, PAR_BYTES_MAX, "task_bytes_max >= task_bytes_min (" + bytesMin + ")");
        cyclesPerByte = reader.getPositive(PAR_CYCLES_PER_BYTE);
        deadline_s = reader.getPositive(PAR_DEADLINE);
        localPid = sim.pidFromKey(reader, PAR_LOCAL, MecCpu.class);
        edgePid = sim.pidFromKey(reader, PAR_EDGE, MecCpu.class);
        uplinkPid = sim.pidFromKey(reader, PAR_UPLINK, Uplink.class);
        tasksPid = sim.pidFromKey(reader, PAR_TASKS, MecTasks.class);
        normalised = ObservationScaling.read(reader, PAR_OBSERVATION);
        bytes = new double[devices];
        headBytes = new double[devices];
        heads = new MecWorkload.Item[devices];
        serverBacklog = new double[servers];
    }

    @Override
    protected void built(Simulation sim) {
        workload = sim.sharedOrNull(MecWorkload.class);
        firstDecision_s = workload == null ? 0 : epoch_s;
    }

    @Override
    protected void begin() {
        if (workload == null) {
            drawTasks();
        } else {
            sim().runUntil(firstDecision_s);
        }
    }

    @Override
    protected void check(float[] actions) {
        MecActions.check(spec(), actions);
    }

    @Override
    protected void apply(float[] actions) {
        double now = sim().now();
        double[] m = output().metrics;
        for (int d = 0; d < devices; d++) {
            // Clip to [-1, 1] only: p may be exactly 0 (all local) or 1 (all offloaded).
            int k = MecActions.server(actions[2 * d], servers, 1.0);
            double p = MecActions.ratio(actions[2 * d + 1], 1.0);
            int row = d * metricDim;
            MecWorkload.Item item = workload == null ? null : workload.poll(d);
            if (workload != null && item == null) {
                continue; // nothing to decide: the action is a no-op
            }
            m[server.at(row)] = k;
            m[offloadRatio.at(row)] = p;
            m[decidedUplinkBps.at(row)] = uplink(d).rateBps(devices + k);
            m[decided.at(row)] = 1;
            if (item == null) {
                double cycles = bytes[d] * cyclesPerByte;
                m[arrived.at(row)] += 1; // a generated task exists from its decision on
                m[decidedBytes.at(row)] = bytes[d];
                m[decidedCycles.at(row)] = cycles;
                tasks(d).decide(k, devices + k, p, bytes[d], cycles, 0, now, now + deadline_s, null);
            } else {
                m[decidedBytes.at(row)] = item.inputBytes;
                m[decidedCycles.at(row)] = item.cycles;
                tasks(d).decide(k, devices + k, p, item.inputBytes, item.cycles, item.outputBytes, item.created_s,
                        item.deadline_s, item);
            }
        }
    }

    @Override
    protected void advance() {
        Simulation sim = sim();
        sim.runUntil(firstDecision_s + step() * epoch_s);
        if (step() >= maxSteps || (workload != null && workload.finished())) {
            truncate();
            if (workload != null) {
                workload.stop(); // tasks after the episode's last epoch are not the episode's
            }
            // No new decisions: run on until every decided task is done, one epoch at a time.
            int epochs = 0;
            while (outstanding() > 0) {
                if (++epochs > MAX_DRAIN_EPOCHS) {
                    throw new IllegalStateException(outstanding() + " tasks still unfinished " + MAX_DRAIN_EPOCHS
                            + " epochs after the last decision");
                }
                sim.runUntil(sim.now() + epoch_s);
            }
        }
        if (workload == null) {
            drawTasks();
        }
    }

    @Override
    protected RecordLog taskLog(Simulation sim) {
        return MecTasks.log(sim);
    }

    private int outstanding() {
        int sum = 0;
        for (int d = 0; d < devices; d++) {
            sum += tasks(d).outstanding();
        }
        return sum;
    }

    private void drawTasks() {
        Rng rng = sim().random("tasks");
        for (int d = 0; d < devices; d++) {
            bytes[d] = bytesMin == bytesMax ? bytesMin : rng.uniform(bytesMin, bytesMax);
        }
    }

    @Override
    protected void observe(StepOutput out) {
        double now = sim().now();
        float[] obs = out.observation;
        for (int d = 0; d < devices; d++) {
            MecWorkload.Item head = workload == null ? null : workload.peek(d);
            heads[d] = head;
            headBytes[d] = workload == null ? bytes[d] : head == null ? 0 : head.inputBytes;
        }
        for (int k = 0; k < servers; k++) {
            serverBacklog[k] = edgeCpu(k).backlogCycles();
        }
        for (int d = 0; d < devices; d++) {
            int o = d * obsDim;
            MecCpu local = localCpu(d);
            Uplink uplink = uplink(d);
            MecWorkload.Item head = heads[d];
            boolean generated = workload == null;
            obs[taskBytes.at(o)] = (float) headBytes[d];
            obs[taskCycles.at(o)] = (float) (generated ? bytes[d] * cyclesPerByte : head == null ? 0 : head.cycles);
            // Clamped: arrival + relative deadline - now may round above the relative deadline.
            obs[taskDeadline.at(o)] = (float) (generated ? deadline_s
                    : head == null ? 0 : Math.min(headDeadlineMax, Math.max(0, head.deadline_s - now)));
            obs[cpuHz.at(o)] = (float) local.hz();
            obs[localBacklog.at(o)] = (float) (local.backlogCycles() / (local.hz() * local.cores()));
            obs[uplinkBacklog.at(o)] = (float) uplink.backlog_s();
            for (int k = 0; k < servers; k++) {
                MecCpu edge = edgeCpu(k);
                obs[serverUplinkBps.at(o, k)] = (float) uplink.rateBps(devices + k);
                obs[serverCpuHz.at(o, k)] = (float) edge.hz();
                obs[serverBacklogCycles.at(o, k)] = (float) serverBacklog[k];
                obs[serverJobs.at(o, k)] = edge.jobs();
                obs[serverCores.at(o, k)] = edge.cores();
                obs[serverLatency.at(o, k)] = (float) uplink.latency_s(devices + k);
            }
            for (int j = 0; j < devices; j++) {
                obs[deviceTaskBytes.at(o, j)] = (float) headBytes[j];
            }
            obs[taskPresent.at(o)] = generated || head != null ? 1 : 0;
            obs[taskOutputBytes.at(o)] = (float) (head == null ? 0 : head.outputBytes);
            obs[queuedTasks.at(o)] = generated ? 1 : workload.waiting(d);
            obs[cores.at(o)] = local.cores();
            int row = d * metricDim;
            tasks(d).drainCounters(out.metrics, row, taskColumns);
            if (workload != null) {
                workload.drainCounters(d, out.metrics, row, workloadColumns);
                if (ended()) {
                    out.metrics[unfinished.at(row)] = workload.open(d);
                }
            }
        }
    }

    private MecCpu localCpu(int device) {
        return (MecCpu) sim().node(device).protocol(localPid);
    }

    private MecCpu edgeCpu(int server) {
        return (MecCpu) sim().node(devices + server).protocol(edgePid);
    }

    private Uplink uplink(int device) {
        return (Uplink) sim().node(device).protocol(uplinkPid);
    }

    private MecTasks tasks(int device) {
        return (MecTasks) sim().node(device).protocol(tasksPid);
    }
}
