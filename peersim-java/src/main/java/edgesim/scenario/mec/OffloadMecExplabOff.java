package edgesim.scenario.mec;

import edgesim.config.Config;
import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Rng;
import edgesim.engine.Simulation;
import edgesim.protocol.WorkQueue;
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
 * offload-mec-explaboff-v0: the multi-access edge computing environment released with ExplabOff (mec_env/),
 * step for step. Every step each mobile device holds one task (size ~ N(class mean, std^2), its class drawn
 * by a seeded permutation at reset) and chooses an edge server and the fraction p to offload. The local part
 * takes size (1 - p) / device capacity; the offloaded part waits for the upload time from the fixed table,
 * then for everything queued at the server up to and including itself: the backlog carried from earlier
 * steps, the tasks of this step placed before it (each server takes its step's tasks in order of upload
 * time, ties in device order), and its own switch time (charged the first time a device uses that server in
 * the episode) plus size p / server capacity. The task's latency is the larger of the two parts; it misses
 * its deadline when the latency exceeds it. After placing the step's tasks each server works off
 * {@code drain_s} seconds of queue. The episode ends at the first step with a miss (terminated) or after
 * {@code episode_steps} steps (truncated). The team reward is computed in Python from the metrics.
 *
 * <p>Nodes 0 .. n_devices-1 are the devices (agents {@code md_m}); the servers follow.
 */
public final class OffloadMecExplabOff implements Scenario {
    public static final String ENV_ID = "offload-mec-explaboff-v0";

    /** @config standard deviation of task sizes around the class mean (the release: 0.1). */
    public static final String PAR_SIZE_STD = "env.task_size_std";
    /** @config whether reset assigns classes to devices by a random permutation (the release does). */
    public static final String PAR_SHUFFLE = "env.shuffle_classes";
    /** @config {@code normalised} (the release's per-field scales) or {@code raw}. */
    public static final String PAR_OBSERVATION = "env.observation";
    /** @config steps per episode (the release's step_num). */
    public static final String PAR_STEPS = "env.episode_steps";
    /** @config seconds of queued work each server completes per step (the release's time_step_max). */
    public static final String PAR_DRAIN = "env.drain_s";
    /** @config the WorkQueue protocol of the servers. */
    public static final String PAR_QUEUE = "env.queue";
    /** Cost per second of latency (the release's CostConfig.time_cost_weight). */
    public static final double TIME_COST_WEIGHT = 1.0;

    /** Per-device metrics, in order. Decision fields describe the task decided in the step just taken. */
    public static final List<String> METRICS = List.of(
            "class_index", "class_mean", "server", "offload_ratio", "task_size", "deadline_s",
            "local_latency_s", "upload_s", "queue_ahead_s", "switch_s", "edge_compute_s", "edge_latency_s",
            "latency_s", "cost", "missed", "queue_position");
    private static final int M_CLASS = 0;
    private static final int M_CLASS_MEAN = 1;
    private static final int M_SERVER = 2;
    private static final int M_RATIO = 3;
    private static final int M_SIZE = 4;
    private static final int M_DEADLINE = 5;
    private static final int M_LOCAL = 6;
    private static final int M_UPLOAD = 7;
    private static final int M_AHEAD = 8;
    private static final int M_SWITCH = 9;
    private static final int M_COMPUTE = 10;
    private static final int M_EDGE = 11;
    private static final int M_LATENCY = 12;
    private static final int M_COST = 13;
    private static final int M_MISSED = 14;
    private static final int M_POSITION = 15;

    private final Config config;
    /** Numbers of the configuration, evaluated once for all the resets. */
    private final Map<String, Double> numbers = new HashMap<>();
    private final ComponentTypes types = componentTypes();
    private boolean validated;
    private final ExplabOffSetting setting;
    private final Config sized;
    private final Spec spec;
    private final StepOutput out;
    private final int servers;
    private final int devices;
    private final int obsDim;
    private final int metricDim;
    private final double[] obsScale;

    private Simulation sim;
    private double sizeStd;
    private boolean shuffle;
    private int maxSteps;
    private double drain_s;
    private int queuePid;
    private int step;
    private boolean ended;
    /** classOf[m]: the class of device m this episode; deviceOf[k]: the device holding class k. */
    private final int[] classOf;
    private final int[] deviceOf;
    private final double[] size;
    private final int[] lastServer;
    private final int[] chosen;
    private final double[] ratio;
    private final int[] order;
    private final double[] row;

    /** Validates the whole configuration by building a simulation once; throws ConfigException. */
    public OffloadMecExplabOff(Config config) {
        this.config = config;
        ConfigReader probe = config.reader();
        this.setting = ExplabOffSetting.resolve(probe.child("env"));
        probe.require(probe.getString(Simulation.PAR_SIZE).equals(ExplabOffSetting.AUTO), Simulation.PAR_SIZE,
                "auto (the scenario sets it to n_devices + n_servers of the setting)");
        this.servers = setting.servers();
        this.devices = setting.devices();
        this.sized = config.withOverrides(Map.of(Simulation.PAR_SIZE, Integer.toString(devices + servers)));
        classOf = new int[devices];
        deviceOf = new int[devices];
        size = new double[devices];
        lastServer = new int[devices];
        chosen = new int[devices];
        ratio = new double[devices];
        order = new int[devices];
        build(0);
        boolean normalised = config.reader().child("env").getString("observation").equals("normalised");
        this.obsDim = 3 * servers + 2 * devices + 4;
        this.obsScale = scales(normalised);
        this.spec = makeSpec(normalised);
        this.metricDim = METRICS.size();
        this.row = new double[obsDim];
        this.out = new StepOutput(spec);
        sim = null;
    }

    /** The component types this scenario's configuration may name. */
    public static ComponentTypes componentTypes() {
        return new ComponentTypes().protocol("WorkQueue", WorkQueue.TYPE);
    }

    private void build(long seed) {
        ConfigReader reader = sized.reader(numbers);
        if (validated) {
            // The scenario's own keys were read and checked by the first build, and do not change.
            sim = new Simulation(reader, types, seed);
            return;
        }
        ExplabOffSetting.resolve(reader.child("env")); // marks the setting keys read
        reader.getString(Simulation.PAR_SIZE);
        sim = new Simulation(reader, types, seed);
        sizeStd = reader.getDouble(PAR_SIZE_STD, 0, 0.5);
        shuffle = reader.getBoolean(PAR_SHUFFLE);
        reader.getChoice(PAR_OBSERVATION, "normalised", "raw");
        maxSteps = reader.getInt(PAR_STEPS, 2, 1_000_000);
        drain_s = reader.getPositive(PAR_DRAIN);
        queuePid = sim.pidFromKey(reader, PAR_QUEUE, WorkQueue.class);
        sim.checkAllKeysUsed();
        validated = true;
    }

    private Spec makeSpec(boolean normalised) {
        List<String> agentIds = new ArrayList<>();
        List<Integer> agentNodes = new ArrayList<>();
        for (int m = 0; m < devices; m++) {
            agentIds.add("md_" + m);
            agentNodes.add(m);
        }
        double inf = Double.POSITIVE_INFINITY;
        String capacityUnit = normalised ? "size/s / 25" : "size/s";
        String sizeUnit = normalised ? "size / 20" : "size";
        // Capacities, deadlines and upload times come from the setting's table: their highs are its largest
        // entries, scaled as observe() scales them (fields in observe()'s order, so obs.size() is the index).
        List<Field> obs = new ArrayList<>();
        for (int b = 0; b < servers; b++) {
            obs.add(new Field("es" + b + "_capacity", capacityUnit, 0,
                    setting.serverCapacity()[b] / obsScale[obs.size()]));
        }
        obs.add(new Field("device_capacity", normalised ? "size/s / 3" : "size/s", 0,
                setting.deviceCapacity() / obsScale[obs.size()]));
        double deadlineMax = Arrays.stream(setting.classDeadline_s()).max().orElseThrow();
        // Sizes are normal draws; with the std bounded by 0.5 they stay positive in practice, but the space
        // must contain every value the simulator can produce.
        obs.add(new Field("task_size", sizeUnit, -inf, inf));
        obs.add(new Field("task_deadline_s", normalised ? "s / 5" : "s", 0, deadlineMax / obsScale[obs.size()]));
        for (int k = 0; k < devices; k++) {
            obs.add(new Field("class" + k + "_task_size", sizeUnit, -inf, inf));
        }
        for (int k = 0; k < devices; k++) {
            obs.add(new Field("class" + k + "_own", "flag", 0, 1));
        }
        for (int b = 0; b < servers; b++) {
            double uploadMax = 0;
            for (int m = 0; m < devices; m++) {
                uploadMax = Math.max(uploadMax, setting.upload_s()[m][b]);
            }
            obs.add(new Field("es" + b + "_upload_s", normalised ? "s / 0.5" : "s", 0, uploadMax / obsScale[obs.size()]));
        }
        for (int b = 0; b < servers; b++) {
            obs.add(new Field("es" + b + "_backlog_s", "s", 0, inf));
        }
        obs.add(new Field("last_server", "index", -1, servers - 1));
        if (obs.size() != obsDim) {
            throw new IllegalStateException(obs.size() + " observation fields, " + obsDim + " expected");
        }
        List<Field> actions = List.of(
                new Field("server_choice", "server bin", -1, 1),
                new Field("offload_ratio", "2p - 1", -1, 1));
        List<Field> metrics = new ArrayList<>();
        for (String name : METRICS) {
            metrics.add(new Field(name, unitOf(name), name.equals("server") ? -1 : 0, inf));
        }
        List<Field> state = new ArrayList<>();
        for (String agent : agentIds) {
            for (Field f : obs) {
                state.add(new Field(agent + "." + f.name(), f.unit(), f.low(), f.high()));
            }
        }
        return new Spec(ENV_ID, agentIds, agentNodes, obs, List.of(), actions, metrics, state, List.of(), drain_s,
                maxSteps, true);
    }

    private static String unitOf(String name) {
        if (name.endsWith("_s")) {
            return "s";
        }
        return switch (name) {
            case "class_mean", "task_size" -> "size";
            case "offload_ratio" -> "fraction";
            case "missed" -> "flag";
            case "cost" -> "s (time_cost_weight 1)";
            default -> "index";
        };
    }

    /** The release's per-field normalisers, laid out as the observation (1 where a field stays raw). */
    private double[] scales(boolean normalised) {
        double[] s = new double[obsDim];
        Arrays.fill(s, 1.0);
        if (!normalised) {
            return s;
        }
        int o = 0;
        for (int b = 0; b < servers; b++) {
            s[o++] = ExplabOffSetting.CAPACITY_SCALE;
        }
        s[o++] = ExplabOffSetting.DEVICE_CAPACITY_SCALE;
        s[o++] = ExplabOffSetting.SIZE_SCALE;
        s[o++] = ExplabOffSetting.DEADLINE_SCALE;
        for (int k = 0; k < devices; k++) {
            s[o++] = ExplabOffSetting.SIZE_SCALE;
        }
        o += devices; // the class mask is 0/1 already
        for (int b = 0; b < servers; b++) {
            s[o++] = ExplabOffSetting.UPLOAD_SCALE;
        }
        // Backlogs and the last choice stay raw, as in the release's normaliser.
        return s;
    }

    /** The resolved parameter table. */
    public ExplabOffSetting setting() {
        return setting;
    }

    @Override
    public Spec spec() {
        return spec;
    }

    @Override
    public String configText() {
        return sized.toText();
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
        for (int m = 0; m < devices; m++) {
            classOf[m] = m;
        }
        if (shuffle) {
            // Fisher-Yates: the release's random.sample over the class indices, from the episode seed.
            Rng rng = sim.random("classes");
            for (int i = devices - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = classOf[i];
                classOf[i] = classOf[j];
                classOf[j] = t;
            }
        }
        for (int m = 0; m < devices; m++) {
            deviceOf[classOf[m]] = m;
        }
        Arrays.fill(lastServer, -1);
        Arrays.fill(out.metrics, 0);
        for (int m = 0; m < devices; m++) {
            out.metrics[m * metricDim + M_CLASS] = classOf[m];
            out.metrics[m * metricDim + M_CLASS_MEAN] = setting.classSizeMean()[classOf[m]];
        }
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
        double[] mt = out.metrics;
        Arrays.fill(mt, 0);
        for (int m = 0; m < devices; m++) {
            chosen[m] = MecActions.server(actions[m * 2], servers, MecActions.RELEASED_CLIP);
            ratio[m] = MecActions.ratio(actions[m * 2 + 1], MecActions.RELEASED_CLIP);
            lastServer[m] = chosen[m];
        }
        boolean anyMiss = false;
        for (int b = 0; b < servers; b++) {
            int n = arrivalOrder(b);
            WorkQueue queue = (WorkQueue) sim.node(devices + b).protocol(queuePid);
            for (int i = 0; i < n; i++) {
                anyMiss |= place(order[i], b, i, queue);
            }
        }
        step++;
        // Each server works off drain_s seconds of its queue before the next step's tasks arrive.
        sim.runUntil(step * drain_s);
        ended = anyMiss || step >= maxSteps;
        drawTasks();
        observe();
        out.terminated = anyMiss;
        out.truncated = !anyMiss && step >= maxSteps;
    }

    /** Fills {@link #order} with the devices that chose server b, by upload time, ties in device order. */
    private int arrivalOrder(int b) {
        int n = 0;
        double[][] upload = setting.upload_s();
        for (int m = 0; m < devices; m++) {
            if (chosen[m] != b) {
                continue;
            }
            // Insertion sort, stable: a device goes after every earlier one with an upload time <= its own.
            int i = n++;
            while (i > 0 && upload[order[i - 1]][b] > upload[m][b]) {
                order[i] = order[i - 1];
                i--;
            }
            order[i] = m;
        }
        return n;
    }

    /** Places device m's task on server b as the position-th arrival of the step; returns whether it misses. */
    private boolean place(int m, int b, int position, WorkQueue queue) {
        double p = ratio[m];
        double d = size[m];
        double local = 0;
        if (1 - p > 0) {
            local = d * (1 - p) / setting.deviceCapacity();
        }
        double edge = 0;
        double ahead = queue.backlog_s();
        double sw = 0;
        double compute = 0;
        double upload = 0;
        if (p > 0) {
            sw = queue.firstVisit(m) ? setting.switch_s()[m][b] : 0;
            compute = d * p / setting.serverCapacity()[b];
            upload = setting.upload_s()[m][b];
            // The upload time is added on top of the whole queue, with no overlap (as released).
            edge = upload + queue.add(sw + compute);
        }
        double latency = Math.max(local, edge);
        double deadline = setting.classDeadline_s()[classOf[m]];
        boolean miss = latency > deadline;
        int o = m * metricDim;
        double[] mt = out.metrics;
        mt[o + M_CLASS] = classOf[m];
        mt[o + M_CLASS_MEAN] = setting.classSizeMean()[classOf[m]];
        mt[o + M_SERVER] = b;
        mt[o + M_RATIO] = p;
        mt[o + M_SIZE] = d;
        mt[o + M_DEADLINE] = deadline;
        mt[o + M_LOCAL] = local;
        mt[o + M_UPLOAD] = upload;
        mt[o + M_AHEAD] = ahead;
        mt[o + M_SWITCH] = sw;
        mt[o + M_COMPUTE] = compute;
        mt[o + M_EDGE] = edge;
        mt[o + M_LATENCY] = latency;
        mt[o + M_COST] = TIME_COST_WEIGHT * latency;
        mt[o + M_MISSED] = miss ? 1 : 0;
        mt[o + M_POSITION] = position;
        return miss;
    }

    private void drawTasks() {
        Rng rng = sim.random("tasks");
        for (int m = 0; m < devices; m++) {
            size[m] = Normal.draw(rng, setting.classSizeMean()[classOf[m]], sizeStd);
        }
    }

    private void observe() {
        float[] obs = out.observation;
        double[] row = this.row;
        double[] caps = setting.serverCapacity();
        for (int m = 0; m < devices; m++) {
            int o = 0;
            for (int b = 0; b < servers; b++) {
                row[o++] = caps[b];
            }
            row[o++] = setting.deviceCapacity();
            row[o++] = size[m];
            row[o++] = setting.classDeadline_s()[classOf[m]];
            for (int k = 0; k < devices; k++) {
                row[o++] = size[deviceOf[k]];
            }
            for (int k = 0; k < devices; k++) {
                row[o++] = classOf[m] == k ? 1 : 0;
            }
            for (int b = 0; b < servers; b++) {
                row[o++] = setting.upload_s()[m][b];
            }
            for (int b = 0; b < servers; b++) {
                row[o++] = ((WorkQueue) sim.node(devices + b).protocol(queuePid)).backlog_s();
            }
            row[o] = lastServer[m];
            // Scaled in double precision, then rounded once to float32 (as the release's float64 arrays are
            // when a network reads them).
            int base = m * obsDim;
            for (int i = 0; i < obsDim; i++) {
                obs[base + i] = (float) (row[i] / obsScale[i]);
            }
        }
        System.arraycopy(obs, 0, out.state, 0, obs.length);
        out.step = step;
        out.time_s = sim.now();
        out.terminated = false;
        out.truncated = false;
    }
}
