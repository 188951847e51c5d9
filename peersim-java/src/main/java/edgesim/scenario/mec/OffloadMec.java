package edgesim.scenario.mec;

import edgesim.config.Config;
import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Rng;
import edgesim.engine.Simulation;
import edgesim.io.TopologyFile;
import edgesim.io.WorkloadFile;
import edgesim.model.MecJob;
import edgesim.model.PathLossChannel;
import edgesim.protocol.CellPlacement;
import edgesim.protocol.Coordinates;
import edgesim.protocol.MecCpu;
import edgesim.protocol.MecNetwork;
import edgesim.protocol.MecWorkload;
import edgesim.protocol.TraceArrivals;
import edgesim.protocol.Uplink;
import edgesim.scenario.ActionException;
import edgesim.scenario.Field;
import edgesim.scenario.ResetNeeded;
import edgesim.scenario.Scenario;
import edgesim.scenario.Spec;
import edgesim.scenario.StepOutput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
 * file's names on a topology, see {@link MecNetwork}); the servers follow.
 */
public final class OffloadMec implements Scenario, MecJob.Listener {
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

    /**
     * Per-device metrics. Decision fields describe this step's decision; {@code decided} says whether there
     * was one; {@code arrived} and the drops count the step's events; the rest sum the tasks finished in it.
     * Fields after {@code energy_edge_j} came with topologies and workloads, so earlier indices are unchanged.
     */
    public static final List<String> METRICS = List.of(
            "server", "offload_ratio", "task_bytes", "task_cycles", "uplink_bps",
            "completed", "latency_sum_s", "local_latency_sum_s", "edge_latency_sum_s", "upload_sum_s",
            "missed", "energy_local_j", "energy_tx_j", "energy_edge_j",
            "decided", "arrived", "dropped_queue_full", "dropped_dependency", "unfinished", "return_sum_s");
    /** One record per completed task. */
    public static final List<String> RECORD = List.of(
            "device", "server", "offload_ratio", "bytes", "cycles", "created_s", "latency_s", "local_latency_s",
            "edge_latency_s", "upload_s", "missed", "energy_local_j", "energy_tx_j", "energy_edge_j",
            "workload_line", "decided_s", "started_s", "finished_s", "return_s");
    private static final int M_SERVER = 0;
    private static final int M_RATIO = 1;
    private static final int M_BYTES = 2;
    private static final int M_CYCLES = 3;
    private static final int M_BPS = 4;
    private static final int M_COMPLETED = 5;
    private static final int M_LATENCY = 6;
    private static final int M_LOCAL = 7;
    private static final int M_EDGE = 8;
    private static final int M_UPLOAD = 9;
    private static final int M_MISSED = 10;
    private static final int M_E_LOCAL = 11;
    private static final int M_E_TX = 12;
    private static final int M_E_EDGE = 13;
    private static final int M_DECIDED = 14;
    /** arrived, dropped_queue_full, dropped_dependency: {@link MecWorkload#COUNTERS}, in that order. */
    private static final int M_ARRIVED = 15;
    private static final int M_UNFINISHED = 18;
    private static final int M_RETURN = 19;
    /** Bound on the epochs the end-of-episode drain may take; only a modelling error could reach it. */
    private static final int MAX_DRAIN_EPOCHS = 10_000_000;

    /** A device's task followed from decision to completion. */
    private static final class Task {
        final int device;
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

        Task(int device, int server, double ratio, double bytes, double cycles, double outputBytes,
                double created_s, double deadline_s, double decided_s, MecWorkload.Item item) {
            this.device = device;
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

    private final Config config;
    /** Numbers of the configuration, evaluated once for all the resets. */
    private final Map<String, Double> numbers = new HashMap<>();
    private boolean validated;
    private final ComponentTypes types = componentTypes(new HashMap<>(), new HashMap<>());
    private final Spec spec;
    private final StepOutput out;
    private final int obsDim;
    private final int metricDim;

    private Simulation sim;
    private MecWorkload workload;
    private int devices;
    private int servers;
    private double epoch_s;
    private double firstDecision_s;
    private int maxSteps;
    private double bytesMin;
    private double bytesMax;
    private double cyclesPerByte;
    private double deadline_s;
    private int localPid;
    private int edgePid;
    private int uplinkPid;
    private int step;
    private boolean ended;
    private int outstanding;
    private double[] bytes;
    private double[] headBytes;
    private double[] records = new double[64];
    private int recordCount;

    /** Validates the whole configuration by building a simulation once; throws ConfigException. */
    public OffloadMec(Config config) {
        this.config = config;
        build(0);
        this.spec = makeSpec();
        this.obsDim = spec.observation().size();
        this.metricDim = METRICS.size();
        this.out = new StepOutput(spec);
        if (workload != null) {
            workload.close();
        }
        sim = null;
        workload = null;
    }

    /** The component types this scenario's configuration may name, with caches of their own. */
    public static ComponentTypes componentTypes() {
        return componentTypes(new HashMap<>(), new HashMap<>());
    }

    /**
     * The component types this scenario's configuration may name; {@code topologies} and {@code workloads}
     * keep topology files parsed, and workload files checked, once for all the resets of one scenario.
     */
    public static ComponentTypes componentTypes(Map<String, TopologyFile> topologies,
            Map<String, WorkloadFile.Summary> workloads) {
        return new ComponentTypes()
                .protocol("Coordinates", Coordinates.TYPE)
                .protocol("MecCpu", MecCpu.TYPE)
                .protocol("Uplink", Uplink.TYPE)
                .protocol("TraceArrivals", TraceArrivals.TYPE)
                .initializer("CellPlacement", CellPlacement.TYPE)
                .initializer("MecNetwork", MecNetwork.type(topologies))
                .initializer("MecWorkload", MecWorkload.type(workloads));
    }

    @Override
    public void close() {
        if (workload != null) {
            workload.close();
            workload = null;
        }
    }

    private void build(long seed) {
        if (workload != null) {
            workload.close(); // the previous episode's file, which may have lines left
        }
        ConfigReader reader = config.reader(numbers);
        if (validated) {
            // The scenario's own keys were read and checked by the first build, and do not change.
            sim = new Simulation(reader, types, seed);
        } else {
            // The counts first, so that a bad one is reported under its own name rather than by a component.
            devices = reader.getInt(PAR_DEVICES, 1, 100_000);
            servers = reader.getInt(PAR_SERVERS, 1, 100_000);
            sim = new Simulation(reader, types, seed);
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
            sim.checkAllKeysUsed();
            validated = true;
        }
        workload = sim.sharedOrNull(MecWorkload.class);
        // Generated tasks appear when an epoch starts; replayed ones during it, so they are decided at its end.
        firstDecision_s = workload == null ? 0 : epoch_s;
        if (bytes == null || bytes.length != devices) {
            bytes = new double[devices];
            headBytes = new double[devices];
        }
    }

    private Spec makeSpec() {
        List<String> agentIds = new ArrayList<>();
        List<Integer> agentNodes = new ArrayList<>();
        for (int m = 0; m < devices; m++) {
            agentIds.add(sim.node(m).name());
            agentNodes.add(m);
        }
        double inf = Double.POSITIVE_INFINITY;
        boolean replay = workload != null;
        double taskBytesMax = replay ? inf : bytesMax;
        // Hardware and routes are fixed for the scenario's life (drawn clock rates within their configured
        // range), so their bounds are known now; rates in a cell vary with the placement, and are bounded by
        // the channel's rate at its closest distance.
        double deviceHz = 0;
        int deviceCores = 0;
        for (int m = 0; m < devices; m++) {
            deviceHz = Math.max(deviceHz, localCpu(m).hzBound());
            deviceCores = Math.max(deviceCores, localCpu(m).cores());
        }
        double[] serverRate = new double[servers];
        double[] serverLatency = new double[servers];
        for (int k = 0; k < servers; k++) {
            serverRate[k] = uplink(0).channel().rateBps(PathLossChannel.MIN_DISTANCE_M);
            for (int m = 0; m < devices; m++) {
                serverRate[k] = Math.max(serverRate[k], uplink(m).rateBps(devices + k));
                serverLatency[k] = Math.max(serverLatency[k], uplink(m).latency_s(devices + k));
            }
        }
        List<Field> obs = new ArrayList<>(List.of(
                new Field("task_bytes", "bytes", 0, taskBytesMax),
                new Field("task_cycles", "cycles", 0, replay ? inf : bytesMax * cyclesPerByte),
                new Field("task_deadline_s", "s", 0, replay ? inf : deadline_s),
                new Field("cpu_hz", "Hz", 0, deviceHz),
                new Field("local_backlog_s", "s", 0, inf),
                new Field("uplink_backlog_s", "s", 0, inf)));
        for (int k = 0; k < servers; k++) {
            String p = "es" + k + "_";
            obs.add(new Field(p + "uplink_bps", "bit/s", 0, serverRate[k]));
            obs.add(new Field(p + "cpu_hz", "Hz", 0, edgeCpu(k).hzBound()));
            obs.add(new Field(p + "backlog_cycles", "cycles", 0, inf));
            obs.add(new Field(p + "jobs", "jobs", 0, inf));
        }
        for (int j = 0; j < devices; j++) {
            obs.add(new Field("md" + j + "_task_bytes", "bytes", 0, taskBytesMax));
        }
        // Fields that came with topologies and workloads follow, so the indices above are unchanged.
        obs.add(new Field("task_present", "flag", 0, 1));
        obs.add(new Field("task_output_bytes", "bytes", 0, replay ? inf : 0));
        obs.add(new Field("queued_tasks", "tasks", 0, inf));
        obs.add(new Field("cores", "cores", 0, deviceCores));
        for (int k = 0; k < servers; k++) {
            obs.add(new Field("es" + k + "_cores", "cores", 0, edgeCpu(k).cores()));
            obs.add(new Field("es" + k + "_latency_s", "s", 0, serverLatency[k]));
        }
        List<Field> actions = List.of(
                new Field("server_choice", "server bin", -1, 1),
                new Field("offload_ratio", "2p - 1", -1, 1));
        List<Field> metrics = new ArrayList<>();
        for (String name : METRICS) {
            metrics.add(new Field(name, unitOf(name), 0, inf));
        }
        List<Field> state = new ArrayList<>();
        for (String agent : agentIds) {
            for (Field f : obs) {
                state.add(new Field(agent + "." + f.name(), f.unit(), f.low(), f.high()));
            }
        }
        return new Spec(ENV_ID, agentIds, agentNodes, obs, List.of(), actions, metrics, state, RECORD, epoch_s,
                maxSteps, true);
    }

    private static String unitOf(String name) {
        if (name.endsWith("_s")) {
            return "s";
        }
        if (name.endsWith("_j")) {
            return "J";
        }
        return switch (name) {
            case "task_bytes" -> "bytes";
            case "task_cycles" -> "cycles";
            case "uplink_bps" -> "bit/s";
            case "offload_ratio" -> "fraction";
            case "server" -> "index";
            case "decided" -> "flag";
            default -> "tasks";
        };
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
        ended = false;
        outstanding = 0;
        recordCount = 0;
        Arrays.fill(out.metrics, 0);
        if (workload == null) {
            drawTasks();
        } else {
            sim.runUntil(firstDecision_s);
        }
        observe();
    }

    @Override
    public void step(int[] actions) {
        throw new ActionException(ENV_ID + " takes continuous actions: " + MecActions.DIM
                + " float32 per agent (server_choice, offload_ratio)");
    }

    @Override
    public void stepContinuous(float[] actions) {
        if (sim == null) {
            throw new ResetNeeded("step before reset: call reset(seed) first");
        }
        if (ended) {
            throw new ResetNeeded("the episode ended at step " + step + "; call reset(seed) first");
        }
        MecActions.check(spec, actions);
        Arrays.fill(out.metrics, 0);
        recordCount = 0;
        double now = sim.now();
        for (int m = 0; m < devices; m++) {
            // Clip to [-1, 1] only: p may be exactly 0 (all local) or 1 (all offloaded).
            int server = MecActions.server(actions[2 * m], servers, 1.0);
            double p = MecActions.ratio(actions[2 * m + 1], 1.0);
            int o = m * metricDim;
            Task task;
            if (workload == null) {
                task = new Task(m, server, p, bytes[m], bytes[m] * cyclesPerByte, 0, now, now + deadline_s, now,
                        null);
                out.metrics[o + M_ARRIVED] += 1; // a generated task exists from its decision on
            } else {
                MecWorkload.Item item = workload.poll(m);
                if (item == null) {
                    continue; // nothing to decide: the action is a no-op
                }
                task = new Task(m, server, p, item.inputBytes, item.cycles, item.outputBytes, item.created_s,
                        item.deadline_s, now, item);
            }
            decide(task, o);
        }
        step++;
        sim.runUntil(firstDecision_s + step * epoch_s);
        if (step >= maxSteps || (workload != null && workload.finished())) {
            ended = true;
            if (workload != null) {
                workload.stop(); // tasks after the episode's last epoch are not the episode's
            }
            // No new decisions: run on until every decided task is done, one epoch at a time.
            int epochs = 0;
            while (outstanding > 0) {
                if (++epochs > MAX_DRAIN_EPOCHS) {
                    throw new IllegalStateException(outstanding + " tasks still unfinished " + MAX_DRAIN_EPOCHS
                            + " epochs after the last decision");
                }
                sim.runUntil(sim.now() + epoch_s);
            }
        }
        if (workload == null) {
            drawTasks();
        }
        observe();
        out.truncated = ended;
    }

    /** Splits {@code task} as decided and starts both parts. */
    private void decide(Task task, int o) {
        int m = task.device;
        int server = task.server;
        double p = task.ratio;
        Uplink uplink = uplink(m);
        out.metrics[o + M_SERVER] = server;
        out.metrics[o + M_RATIO] = p;
        out.metrics[o + M_BYTES] = task.bytes;
        out.metrics[o + M_CYCLES] = task.cycles;
        out.metrics[o + M_BPS] = uplink.rateBps(devices + server);
        out.metrics[o + M_DECIDED] = 1;
        outstanding++;
        if (p < 1) {
            task.local = new MecJob(task, this, 0, (1 - p) * task.cycles, m);
            task.partsLeft++;
        }
        if (p > 0) {
            task.edge = new MecJob(task, this, p * task.bytes, p * task.cycles, devices + server);
            task.partsLeft++;
        }
        if (task.local != null) {
            localCpu(m).submit(task.local);
        }
        if (task.edge != null) {
            uplink.send(task.edge);
        }
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
            uplink(task.device).returnResult(job, task.ratio * task.outputBytes);
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
        double latency = now - task.created_s;
        double local = task.local == null ? 0 : task.local.computed_s - task.created_s;
        double edge = task.edge == null ? 0 : task.edge.returned_s - task.created_s;
        double upload = task.edge == null ? 0 : task.edge.uploadDone_s - task.edge.uploadStart_s;
        double back = task.edge == null ? 0 : task.edge.returned_s - task.edge.computed_s;
        double started = Math.min(task.local == null ? Double.POSITIVE_INFINITY : task.local.started_s,
                task.edge == null ? Double.POSITIVE_INFINITY : task.edge.uploadStart_s);
        boolean missed = now > task.deadline_s;
        double eLocal = task.local == null ? 0 : task.local.computeEnergy_j;
        double eTx = task.edge == null ? 0 : task.edge.txEnergy_j;
        double eEdge = task.edge == null ? 0 : task.edge.computeEnergy_j;
        int o = task.device * metricDim;
        double[] mt = out.metrics;
        mt[o + M_COMPLETED] += 1;
        mt[o + M_LATENCY] += latency;
        mt[o + M_LOCAL] += local;
        mt[o + M_EDGE] += edge;
        mt[o + M_UPLOAD] += upload;
        mt[o + M_MISSED] += missed ? 1 : 0;
        mt[o + M_E_LOCAL] += eLocal;
        mt[o + M_E_TX] += eTx;
        mt[o + M_E_EDGE] += eEdge;
        mt[o + M_RETURN] += back;
        int fields = RECORD.size();
        if ((recordCount + 1) * fields > records.length) {
            records = Arrays.copyOf(records, Math.max(records.length * 2, (recordCount + 1) * fields));
        }
        int r = recordCount++ * fields;
        double[] rec = {task.device, task.server, task.ratio, task.bytes, task.cycles, task.created_s, latency,
            local, edge, upload, missed ? 1 : 0, eLocal, eTx, eEdge, task.item == null ? -1 : task.item.line,
            task.decided_s, started, now, back};
        System.arraycopy(rec, 0, records, r, fields);
        if (task.item != null) {
            workload.completed(task.item); // may release the tasks that waited for this one
        }
    }

    private void drawTasks() {
        Rng rng = sim.random("tasks");
        for (int m = 0; m < devices; m++) {
            bytes[m] = bytesMin == bytesMax ? bytesMin : rng.uniform(bytesMin, bytesMax);
        }
    }

    private void observe() {
        double now = sim.now();
        float[] obs = out.observation;
        for (int m = 0; m < devices; m++) {
            MecWorkload.Item head = workload == null ? null : workload.peek(m);
            headBytes[m] = workload == null ? bytes[m] : head == null ? 0 : head.inputBytes;
        }
        for (int m = 0; m < devices; m++) {
            int o = m * obsDim;
            MecCpu local = localCpu(m);
            Uplink uplink = uplink(m);
            double cycles;
            double deadlineLeft;
            double output;
            double present;
            double queued;
            if (workload == null) {
                cycles = bytes[m] * cyclesPerByte;
                deadlineLeft = deadline_s;
                output = 0;
                present = 1;
                queued = 1;
            } else {
                MecWorkload.Item head = workload.peek(m);
                present = head == null ? 0 : 1;
                cycles = head == null ? 0 : head.cycles;
                deadlineLeft = head == null ? 0 : Math.max(0, head.deadline_s - now);
                output = head == null ? 0 : head.outputBytes;
                queued = workload.waiting(m);
            }
            obs[o++] = (float) headBytes[m];
            obs[o++] = (float) cycles;
            obs[o++] = (float) deadlineLeft;
            obs[o++] = (float) local.hz();
            obs[o++] = (float) (local.backlogCycles() / (local.hz() * local.cores()));
            obs[o++] = (float) uplink.backlog_s();
            for (int k = 0; k < servers; k++) {
                MecCpu edge = edgeCpu(k);
                obs[o++] = (float) uplink.rateBps(devices + k);
                obs[o++] = (float) edge.hz();
                obs[o++] = (float) edge.backlogCycles();
                obs[o++] = edge.jobs();
            }
            for (int j = 0; j < devices; j++) {
                obs[o++] = (float) headBytes[j];
            }
            obs[o++] = (float) present;
            obs[o++] = (float) output;
            obs[o++] = (float) queued;
            obs[o++] = local.cores();
            for (int k = 0; k < servers; k++) {
                obs[o++] = edgeCpu(k).cores();
                obs[o++] = (float) uplink.latency_s(devices + k);
            }
            if (workload != null) {
                workload.drainCounters(m, out.metrics, m * metricDim + M_ARRIVED);
                if (ended) {
                    out.metrics[m * metricDim + M_UNFINISHED] = workload.open(m);
                }
            }
        }
        System.arraycopy(obs, 0, out.state, 0, obs.length);
        out.taskRecords = records;
        out.taskRecordCount = recordCount;
        out.step = step;
        out.time_s = now;
        out.terminated = false;
        out.truncated = false;
    }

    private MecCpu localCpu(int device) {
        return (MecCpu) sim.node(device).protocol(localPid);
    }

    private MecCpu edgeCpu(int server) {
        return (MecCpu) sim.node(devices + server).protocol(edgePid);
    }

    private Uplink uplink(int device) {
        return (Uplink) sim.node(device).protocol(uplinkPid);
    }
}
