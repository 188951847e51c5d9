package edgesim.scenario.mec;

import edgesim.config.Config;
import edgesim.config.ConfigReader;
import edgesim.engine.ComponentPlugin;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Rng;
import edgesim.engine.Simulation;
import edgesim.protocol.mec.MecComponents;
import edgesim.protocol.mec.WorkQueue;
import edgesim.scenario.AbstractScenario;
import edgesim.scenario.Layout;
import edgesim.scenario.ObservationScaling;
import edgesim.scenario.Spec;
import edgesim.scenario.StepOutput;
import java.util.ArrayList;
import java.util.Arrays;
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
public final class OffloadMecExplabOff extends AbstractScenario {
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

    private static final double INF = Double.POSITIVE_INFINITY;

    private final ExplabOffSetting setting;
    private final int servers;
    private final int devices;
    private double sizeStd;
    private boolean shuffle;
    private int maxSteps;
    private double drain_s;
    private int queuePid;
    /** classOf[m]: the class of device m this episode; deviceOf[k]: the device holding class k. */
    private final int[] classOf;
    private final int[] deviceOf;
    private final double[] size;
    private final int[] lastServer;
    private final int[] chosen;
    private final double[] ratio;
    private final int[] order;
    private boolean anyMiss;

    private final int obsDim;
    private final int metricDim;
    /** Read with the keys, in the constructor's first build. */
    private boolean normalised;
    // Observation, the release's State in its order; normalised fields are divided by their scale (1: raw).
    private final double capacityScale;
    private final double deviceCapacityScale;
    private final double sizeScale;
    private final double deadlineScale;
    private final double uploadScale;
    private final Layout.Repeated serverCapacity;
    private final Layout.Column deviceCapacity;
    private final Layout.Column taskSize;
    private final Layout.Column taskDeadline;
    private final Layout.Repeated classTaskSize;
    private final Layout.Repeated classOwn;
    private final Layout.Repeated serverUpload;
    private final Layout.Repeated serverBacklog;
    private final Layout.Column lastChoice;
    // Metrics: the device's class, then the task decided in the step just taken.
    private final Layout.Column classIndex;
    private final Layout.Column classMean;
    private final Layout.Column server;
    private final Layout.Column offloadRatio;
    private final Layout.Column sizeDecided;
    private final Layout.Column deadline;
    private final Layout.Column localLatency;
    private final Layout.Column upload;
    private final Layout.Column queueAhead;
    private final Layout.Column switchTime;
    private final Layout.Column edgeCompute;
    private final Layout.Column edgeLatency;
    private final Layout.Column latency;
    private final Layout.Column cost;
    private final Layout.Column missed;
    private final Layout.Column queuePosition;

    /**
     * Validates the whole configuration by building a simulation once (throws ConfigException); the component
     * types of {@code plugins} are added to the scenario's own.
     */
    public OffloadMecExplabOff(Config config, List<ComponentPlugin> plugins) {
        super(sized(config), MecComponents.registerExplabOff(new ComponentTypes()), plugins);
        this.setting = ExplabOffSetting.resolve(config.reader().child("env"));
        this.servers = setting.servers();
        this.devices = setting.devices();
        classOf = new int[devices];
        deviceOf = new int[devices];
        size = new double[devices];
        lastServer = new int[devices];
        chosen = new int[devices];
        ratio = new double[devices];
        order = new int[devices];
        validate();
        capacityScale = normalised ? ExplabOffSetting.CAPACITY_SCALE : 1.0;
        deviceCapacityScale = normalised ? ExplabOffSetting.DEVICE_CAPACITY_SCALE : 1.0;
        sizeScale = normalised ? ExplabOffSetting.SIZE_SCALE : 1.0;
        deadlineScale = normalised ? ExplabOffSetting.DEADLINE_SCALE : 1.0;
        uploadScale = normalised ? ExplabOffSetting.UPLOAD_SCALE : 1.0;
        String sizeUnit = normalised ? "size / 20" : "size";
        double[] uploadMax = new double[servers];
        for (int b = 0; b < servers; b++) {
            for (int m = 0; m < devices; m++) {
                uploadMax[b] = Math.max(uploadMax[b], setting.upload_s()[m][b]);
            }
        }

        // Capacities, deadlines and upload times come from the setting's table: their highs are its largest
        // entries, scaled as observe() scales them. Sizes are normal draws; with the std bounded by 0.5 they
        // stay positive in practice, but the space must contain every value the simulator can produce.
        Layout obs = new Layout();
        serverCapacity = obs.group(servers, b -> "es" + b + "_").add("capacity",
                normalised ? "size/s / 25" : "size/s", 0, b -> setting.serverCapacity()[b] / capacityScale);
        deviceCapacity = obs.add("device_capacity", normalised ? "size/s / 3" : "size/s", 0,
                setting.deviceCapacity() / deviceCapacityScale);
        taskSize = obs.add("task_size", sizeUnit, -INF, INF);
        taskDeadline = obs.add("task_deadline_s", normalised ? "s / 5" : "s", 0,
                Arrays.stream(setting.classDeadline_s()).max().orElseThrow() / deadlineScale);
        classTaskSize = obs.group(devices, k -> "class" + k + "_").add("task_size", sizeUnit, -INF, k -> INF);
        classOwn = obs.group(devices, k -> "class" + k + "_").flag("own");
        serverUpload = obs.group(servers, b -> "es" + b + "_").add("upload_s", normalised ? "s / 0.5" : "s", 0,
                b -> uploadMax[b] / uploadScale);
        serverBacklog = obs.group(servers, b -> "es" + b + "_").add("backlog_s", 0, b -> INF);
        lastChoice = obs.add("last_server", "index", -1, servers - 1);

        Layout metrics = new Layout();
        classIndex = metrics.add("class_index", "index", 0, INF);
        classMean = metrics.add("class_mean", "size", 0, INF);
        server = metrics.add("server", "index", -1, INF);
        offloadRatio = metrics.add("offload_ratio", "fraction", 0, INF);
        sizeDecided = metrics.add("task_size", "size", 0, INF);
        deadline = metrics.add("deadline_s", 0, INF);
        localLatency = metrics.add("local_latency_s", 0, INF);
        upload = metrics.add("upload_s", 0, INF);
        queueAhead = metrics.add("queue_ahead_s", 0, INF);
        switchTime = metrics.add("switch_s", 0, INF);
        edgeCompute = metrics.add("edge_compute_s", 0, INF);
        edgeLatency = metrics.add("edge_latency_s", 0, INF);
        latency = metrics.add("latency_s", 0, INF);
        cost = metrics.add("cost", "s (time_cost_weight 1)", 0, INF);
        missed = metrics.add("missed", "flag", 0, INF);
        queuePosition = metrics.add("queue_position", "index", 0, INF);

        List<String> agents = new ArrayList<>();
        List<Integer> nodes = new ArrayList<>();
        for (int m = 0; m < devices; m++) {
            agents.add("md_" + m);
            nodes.add(m);
        }
        obsDim = obs.size();
        metricDim = metrics.size();
        publish(Spec.builder(ENV_ID).agents(agents, nodes).observation(obs).continuousActions(MecActions.FIELDS)
                .metrics(metrics).timing(drain_s, maxSteps).build());
    }

    /** The configuration with network.size set to the setting's devices and servers (it must say auto). */
    private static Config sized(Config config) {
        ConfigReader probe = config.reader();
        ExplabOffSetting setting = ExplabOffSetting.resolve(probe.child("env"));
        probe.require(probe.getString(Simulation.PAR_SIZE).equals(ExplabOffSetting.AUTO), Simulation.PAR_SIZE,
                "auto (the scenario sets it to n_devices + n_servers of the setting)");
        return config.withOverrides(
                Map.of(Simulation.PAR_SIZE, Integer.toString(setting.devices() + setting.servers())));
    }

    @Override
    protected void readKeysFirst(ConfigReader reader) {
        ExplabOffSetting.resolve(reader.child("env")); // marks the setting keys read
        reader.getString(Simulation.PAR_SIZE);
    }

    @Override
    protected void readKeys(ConfigReader reader, Simulation sim) {
        sizeStd = reader.getDouble(PAR_SIZE_STD, 0, 0.5);
        shuffle = reader.getBoolean(PAR_SHUFFLE);
        normalised = reader.getChoice(PAR_OBSERVATION, ObservationScaling.NORMALISED, ObservationScaling.RAW)
                .equals(ObservationScaling.NORMALISED);
        maxSteps = reader.getInt(PAR_STEPS, 2, 1_000_000);
        drain_s = reader.getPositive(PAR_DRAIN);
        queuePid = sim.pidFromKey(reader, PAR_QUEUE, WorkQueue.class);
    }

    /** The resolved parameter table. */
    public ExplabOffSetting setting() {
        return setting;
    }

    @Override
    protected void begin() {
        for (int m = 0; m < devices; m++) {
            classOf[m] = m;
        }
        if (shuffle) {
            // Fisher-Yates: the release's random.sample over the class indices, from the episode seed.
            Rng rng = sim().random("classes");
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
        double[] mt = output().metrics;
        for (int m = 0; m < devices; m++) {
            mt[classIndex.at(m * metricDim)] = classOf[m];
            mt[classMean.at(m * metricDim)] = setting.classSizeMean()[classOf[m]];
        }
        drawTasks();
    }

    @Override
    protected void check(float[] actions) {
        MecActions.check(spec(), actions);
    }

    @Override
    protected void apply(float[] actions) {
        for (int m = 0; m < devices; m++) {
            chosen[m] = MecActions.server(actions[m * 2], servers, MecActions.RELEASED_CLIP);
            ratio[m] = MecActions.ratio(actions[m * 2 + 1], MecActions.RELEASED_CLIP);
            lastServer[m] = chosen[m];
        }
        anyMiss = false;
        for (int b = 0; b < servers; b++) {
            int n = arrivalOrder(b);
            WorkQueue queue = queue(b);
            for (int i = 0; i < n; i++) {
                anyMiss |= place(order[i], b, i, queue);
            }
        }
    }

    @Override
    protected void advance() {
        // Each server works off drain_s seconds of its queue before the next step's tasks arrive.
        sim().runUntil(step() * drain_s);
        if (anyMiss) {
            terminate();
        } else if (step() >= maxSteps) {
            truncate();
        }
        drawTasks();
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
        double up = 0;
        if (p > 0) {
            sw = queue.firstVisit(m) ? setting.switch_s()[m][b] : 0;
            compute = d * p / setting.serverCapacity()[b];
            up = setting.upload_s()[m][b];
            // The upload time is added on top of the whole queue, with no overlap (as released).
            edge = up + queue.add(sw + compute);
        }
        double t = Math.max(local, edge);
        double limit = setting.classDeadline_s()[classOf[m]];
        boolean miss = t > limit;
        int row = m * metricDim;
        double[] mt = output().metrics;
        mt[classIndex.at(row)] = classOf[m];
        mt[classMean.at(row)] = setting.classSizeMean()[classOf[m]];
        mt[server.at(row)] = b;
        mt[offloadRatio.at(row)] = p;
        mt[sizeDecided.at(row)] = d;
        mt[deadline.at(row)] = limit;
        mt[localLatency.at(row)] = local;
        mt[upload.at(row)] = up;
        mt[queueAhead.at(row)] = ahead;
        mt[switchTime.at(row)] = sw;
        mt[edgeCompute.at(row)] = compute;
        mt[edgeLatency.at(row)] = edge;
        mt[latency.at(row)] = t;
        mt[cost.at(row)] = TIME_COST_WEIGHT * t;
        mt[missed.at(row)] = miss ? 1 : 0;
        mt[queuePosition.at(row)] = position;
        return miss;
    }

    private void drawTasks() {
        Rng rng = sim().random("tasks");
        for (int m = 0; m < devices; m++) {
            size[m] = Normal.draw(rng, setting.classSizeMean()[classOf[m]], sizeStd);
        }
    }

    @Override
    protected void observe(StepOutput out) {
        float[] obs = out.observation;
        double[] caps = setting.serverCapacity();
        // Scaled in double precision, then rounded once to float32 (as the release's float64 arrays are when a
        // network reads them).
        for (int m = 0; m < devices; m++) {
            int o = m * obsDim;
            for (int b = 0; b < servers; b++) {
                obs[serverCapacity.at(o, b)] = (float) (caps[b] / capacityScale);
                obs[serverUpload.at(o, b)] = (float) (setting.upload_s()[m][b] / uploadScale);
                obs[serverBacklog.at(o, b)] = (float) queue(b).backlog_s();
            }
            obs[deviceCapacity.at(o)] = (float) (setting.deviceCapacity() / deviceCapacityScale);
            obs[taskSize.at(o)] = (float) (size[m] / sizeScale);
            obs[taskDeadline.at(o)] = (float) (setting.classDeadline_s()[classOf[m]] / deadlineScale);
            for (int k = 0; k < devices; k++) {
                obs[classTaskSize.at(o, k)] = (float) (size[deviceOf[k]] / sizeScale);
                obs[classOwn.at(o, k)] = classOf[m] == k ? 1 : 0;
            }
            obs[lastChoice.at(o)] = lastServer[m];
        }
    }

    private WorkQueue queue(int server) {
        return (WorkQueue) sim().node(devices + server).protocol(queuePid);
    }
}
