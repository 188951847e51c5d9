package edgesim.scenario.mec;

import edgesim.config.Config;
import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Rng;
import edgesim.engine.Simulation;
import edgesim.model.MecJob;
import edgesim.protocol.CellPlacement;
import edgesim.protocol.Coordinates;
import edgesim.protocol.MecCpu;
import edgesim.protocol.Uplink;
import edgesim.scenario.ActionException;
import edgesim.scenario.Field;
import edgesim.scenario.ResetNeeded;
import edgesim.scenario.Scenario;
import edgesim.scenario.Spec;
import edgesim.scenario.StepOutput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * offload-mec-v0: ExplabOff's decision problem on physical models. Every epoch each mobile device holds one
 * task (input bytes, CPU cycles = bytes x cycles per byte, a relative deadline) and chooses an edge server and
 * the fraction p to offload. The local part, (1 - p) of the cycles, queues on the device's CPU; the offloaded
 * part uploads p of the bytes over the device's uplink (Shannon rate of a path-loss channel, one upload at a
 * time) and then computes p of the cycles on the server's CPU, shared first-in first-out or by processor
 * sharing. A task is done when both parts are; it misses its deadline if that is later than the deadline
 * (it still completes). Energy: local and edge computing (kappa hz^2 per cycle) and transmission (power x
 * time on air). Each step reports, per device, the decision it applied and the tasks of that device that
 * finished during the step; after the last decision the simulation runs on without new tasks until every
 * task is done, so the last frame accounts for the whole episode.
 *
 * <p>Nodes 0 .. n_devices-1 are the devices (agents {@code md_m}); the servers follow.
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
    /** @config task input size, bytes, uniform in [min, max]. */
    public static final String PAR_BYTES_MIN = "env.task_bytes_min";
    public static final String PAR_BYTES_MAX = "env.task_bytes_max";
    /** @config CPU cycles per input byte. */
    public static final String PAR_CYCLES_PER_BYTE = "env.cycles_per_byte";
    /** @config relative deadline of every task, seconds. */
    public static final String PAR_DEADLINE = "env.task_deadline_s";
    /** @config protocols the view reads. */
    public static final String PAR_LOCAL = "env.local";
    public static final String PAR_EDGE = "env.edge";
    public static final String PAR_UPLINK = "env.uplink";

    /** Per-device metrics. Decision fields describe this step's decision; the rest sum the tasks finished in it. */
    public static final List<String> METRICS = List.of(
            "server", "offload_ratio", "task_bytes", "task_cycles", "uplink_bps",
            "completed", "latency_sum_s", "local_latency_sum_s", "edge_latency_sum_s", "upload_sum_s",
            "missed", "energy_local_j", "energy_tx_j", "energy_edge_j");
    /** One record per finished task. */
    public static final List<String> RECORD = List.of(
            "device", "server", "offload_ratio", "bytes", "cycles", "created_s", "latency_s", "local_latency_s",
            "edge_latency_s", "upload_s", "missed", "energy_local_j", "energy_tx_j", "energy_edge_j");
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
    /** Bound on the epochs the end-of-episode drain may take; only a modelling error could reach it. */
    private static final int MAX_DRAIN_EPOCHS = 10_000_000;

    /** A device's task followed from decision to completion. */
    private static final class Task {
        final int device;
        final int server;
        final double ratio;
        final double bytes;
        final double cycles;
        final double created_s;
        final double deadline_s;
        MecJob local;
        MecJob edge;
        int partsLeft;

        Task(int device, int server, double ratio, double bytes, double cycles, double created_s, double deadline_s) {
            this.device = device;
            this.server = server;
            this.ratio = ratio;
            this.bytes = bytes;
            this.cycles = cycles;
            this.created_s = created_s;
            this.deadline_s = deadline_s;
        }
    }

    private final Config config;
    private final Spec spec;
    private final StepOutput out;
    private final int obsDim;
    private final int metricDim;

    private Simulation sim;
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
    private int step;
    private boolean ended;
    private int outstanding;
    private double[] bytes;
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
        sim = null;
    }

    /** The component types this scenario's configuration may name. */
    public static ComponentTypes componentTypes() {
        return new ComponentTypes()
                .protocol("Coordinates", Coordinates.TYPE)
                .protocol("MecCpu", MecCpu.TYPE)
                .protocol("Uplink", Uplink.TYPE)
                .initializer("CellPlacement", CellPlacement.TYPE);
    }

    private void build(long seed) {
        ConfigReader reader = config.reader();
        // The counts first, so that a bad one is reported under its own name rather than by a component.
        devices = reader.getInt(PAR_DEVICES, 1, 100_000);
        servers = reader.getInt(PAR_SERVERS, 1, 100_000);
        sim = new Simulation(reader, componentTypes(), seed);
        reader.require(sim.size() == devices + servers, Simulation.PAR_SIZE,
                "n_devices + n_servers = " + (devices + servers) + " nodes");
        epoch_s = reader.getPositive(PAR_EPOCH);
        maxSteps = reader.getInt(PAR_STEPS, 1, 1_000_000);
        bytesMin = reader.getPositive(PAR_BYTES_MIN);
        bytesMax = reader.getPositive(PAR_BYTES_MAX);
        reader.require(bytesMax >= bytesMin, PAR_BYTES_MAX, "task_bytes_max >= task_bytes_min (" + bytesMin + ")");
        cyclesPerByte = reader.getPositive(PAR_CYCLES_PER_BYTE);
        deadline_s = reader.getPositive(PAR_DEADLINE);
        localPid = sim.pidFromKey(reader, PAR_LOCAL);
        edgePid = sim.pidFromKey(reader, PAR_EDGE);
        uplinkPid = sim.pidFromKey(reader, PAR_UPLINK);
        sim.checkAllKeysUsed();
        if (bytes == null || bytes.length != devices) {
            bytes = new double[devices];
        }
    }

    private Spec makeSpec() {
        List<String> agentIds = new ArrayList<>();
        List<Integer> agentNodes = new ArrayList<>();
        for (int m = 0; m < devices; m++) {
            agentIds.add("md_" + m);
            agentNodes.add(m);
        }
        double inf = Double.POSITIVE_INFINITY;
        List<Field> obs = new ArrayList<>(List.of(
                new Field("task_bytes", "bytes", 0, bytesMax),
                new Field("task_cycles", "cycles", 0, bytesMax * cyclesPerByte),
                new Field("task_deadline_s", "s", 0, deadline_s),
                new Field("cpu_hz", "Hz", 0, inf),
                new Field("local_backlog_s", "s", 0, inf),
                new Field("uplink_backlog_s", "s", 0, inf)));
        for (int k = 0; k < servers; k++) {
            String p = "es" + k + "_";
            obs.add(new Field(p + "uplink_bps", "bit/s", 0, inf));
            obs.add(new Field(p + "cpu_hz", "Hz", 0, inf));
            obs.add(new Field(p + "backlog_cycles", "cycles", 0, inf));
            obs.add(new Field(p + "jobs", "jobs", 0, inf));
        }
        for (int j = 0; j < devices; j++) {
            obs.add(new Field("md" + j + "_task_bytes", "bytes", 0, bytesMax));
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
                maxSteps);
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
        drawTasks();
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
            double cycles = bytes[m] * cyclesPerByte;
            Task task = new Task(m, server, p, bytes[m], cycles, now, now + deadline_s);
            Uplink uplink = uplink(m);
            int o = m * metricDim;
            out.metrics[o + M_SERVER] = server;
            out.metrics[o + M_RATIO] = p;
            out.metrics[o + M_BYTES] = bytes[m];
            out.metrics[o + M_CYCLES] = cycles;
            out.metrics[o + M_BPS] = uplink.rateBps(devices + server);
            outstanding++;
            if (p < 1) {
                task.local = new MecJob(task, this, 0, (1 - p) * cycles, m);
                task.partsLeft++;
            }
            if (p > 0) {
                task.edge = new MecJob(task, this, p * bytes[m], p * cycles, devices + server);
                task.partsLeft++;
            }
            if (task.local != null) {
                localCpu(m).submit(task.local);
            }
            if (task.edge != null) {
                uplink.send(task.edge);
            }
        }
        step++;
        sim.runUntil(step * epoch_s);
        if (step >= maxSteps) {
            ended = true;
            // No new tasks: run on until every task of the episode is done, one epoch at a time.
            int epochs = 0;
            while (outstanding > 0) {
                if (++epochs > MAX_DRAIN_EPOCHS) {
                    throw new IllegalStateException(outstanding + " tasks still unfinished " + MAX_DRAIN_EPOCHS
                            + " epochs after the last decision");
                }
                sim.runUntil(sim.now() + epoch_s);
            }
        }
        drawTasks();
        observe();
        out.truncated = ended;
    }

    @Override
    public void uploaded(MecJob job) {
        // Nothing to do: the upload's times are on the job and the server's CPU has queued it.
    }

    @Override
    public void computed(MecJob job) {
        Task task = (Task) job.owner;
        if (--task.partsLeft > 0) {
            return;
        }
        outstanding--;
        double now = sim.now();
        double latency = now - task.created_s;
        double local = task.local == null ? 0 : task.local.computed_s - task.created_s;
        double edge = task.edge == null ? 0 : task.edge.computed_s - task.created_s;
        double upload = task.edge == null ? 0 : task.edge.uploadDone_s - task.edge.uploadStart_s;
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
        int fields = RECORD.size();
        if ((recordCount + 1) * fields > records.length) {
            records = Arrays.copyOf(records, Math.max(records.length * 2, (recordCount + 1) * fields));
        }
        int r = recordCount++ * fields;
        double[] rec = {task.device, task.server, task.ratio, task.bytes, task.cycles, task.created_s, latency,
            local, edge, upload, missed ? 1 : 0, eLocal, eTx, eEdge};
        System.arraycopy(rec, 0, records, r, fields);
    }

    private void drawTasks() {
        Rng rng = sim.random("tasks");
        for (int m = 0; m < devices; m++) {
            bytes[m] = bytesMin == bytesMax ? bytesMin : rng.uniform(bytesMin, bytesMax);
        }
    }

    private void observe() {
        float[] obs = out.observation;
        for (int m = 0; m < devices; m++) {
            int o = m * obsDim;
            MecCpu local = localCpu(m);
            Uplink uplink = uplink(m);
            obs[o++] = (float) bytes[m];
            obs[o++] = (float) (bytes[m] * cyclesPerByte);
            obs[o++] = (float) deadline_s;
            obs[o++] = (float) local.hz();
            obs[o++] = (float) (local.backlogCycles() / local.hz());
            obs[o++] = (float) uplink.backlog_s();
            for (int k = 0; k < servers; k++) {
                MecCpu edge = edgeCpu(k);
                obs[o++] = (float) uplink.rateBps(devices + k);
                obs[o++] = (float) edge.hz();
                obs[o++] = (float) edge.backlogCycles();
                obs[o++] = edge.jobs();
            }
            for (int j = 0; j < devices; j++) {
                obs[o++] = (float) bytes[j];
            }
        }
        System.arraycopy(obs, 0, out.state, 0, obs.length);
        out.taskRecords = records;
        out.taskRecordCount = recordCount;
        out.step = step;
        out.time_s = sim.now();
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
