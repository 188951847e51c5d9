package edgesim.protocol;

import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.EventHandler;
import edgesim.engine.Node;
import edgesim.engine.Simulation;
import edgesim.model.ShannonChannel;
import edgesim.model.Task;
import edgesim.protocol.link.LinkModel;
import edgesim.protocol.link.ShannonLinks;
import java.util.ArrayDeque;

/**
 * A node's transmitter: sends task inputs to the node chosen to run them and results back to their origin,
 * one transfer at a time in first-in first-out order. Time on air is the size over the rate of the link
 * model (by default the Shannon rate of a free-space channel at the distance between the nodes; with a
 * topology file, the route's bottleneck bandwidth), then the link's latency (propagation at the speed of
 * light, or the route's latency). Transmit energy is power times time on air, charged to the task's origin. A transfer whose task was dropped is skipped if it
 * has not started and discarded on delivery if it has.
 */
public final class Radio implements EventHandler {
    /** @config channel bandwidth, Hz. */
    public static final String PAR_BANDWIDTH = "bandwidth_hz";
    /** @config transmit power, watts. */
    public static final String PAR_TX_POWER = "tx_power_w";
    /** @config carrier frequency, Hz (sets the free-space path loss). */
    public static final String PAR_CARRIER = "carrier_hz";
    /** @config receiver noise temperature, kelvin (thermal noise k T B). */
    public static final String PAR_NOISE_TEMPERATURE = "noise_temperature_k";
    /** @config the Coordinates protocol giving positions. */
    public static final String PAR_COORDINATES = "coordinates";
    /** @config the Cpu protocol that receives delivered task inputs. */
    public static final String PAR_CPU = "cpu";
    /** @config the Tasks protocol (origin bookkeeping). */
    public static final String PAR_TASKS = "tasks";

    /** Transfer kinds (event argument). */
    public static final int UPLOAD = 0;
    public static final int RESULT = 1;

    static final int TX_DONE = 1;
    static final int DELIVER = 2;

    record Params(ShannonChannel channel, int coordinatesPid, int cpuPid, int tasksPid) {
        Params(ConfigReader c, Simulation sim) {
            this(new ShannonChannel(c.getPositive(PAR_BANDWIDTH), c.getPositive(PAR_TX_POWER),
                    c.getPositive(PAR_CARRIER), c.getPositive(PAR_NOISE_TEMPERATURE)),
                    sim.pidFromKey(c, PAR_COORDINATES, Coordinates.class), sim.pidFromKey(c, PAR_CPU, Cpu.class), sim.pidFromKey(c, PAR_TASKS, Tasks.class));
        }
    }

    public static final ComponentTypes.ProtocolType TYPE = (config, sim, pid) -> {
        Params p = new Params(config, sim);
        return node -> new Radio(p, sim, node, pid);
    };

    private final Params params;
    private final Simulation sim;
    private final Node node;
    private final int pid;
    private final ArrayDeque<Task> pending = new ArrayDeque<>();
    private final ArrayDeque<Integer> pendingKinds = new ArrayDeque<>();
    private Task onAir;
    private double onAirTime_s;
    private double backlogBytes;
    private LinkModel links;

    Radio(Params params, Simulation sim, Node node, int pid) {
        this.params = params;
        this.sim = sim;
        this.node = node;
        this.pid = pid;
    }

    public ShannonChannel channel() {
        return params.channel();
    }

    /** The simulation's link model: a topology's routes if an initializer shared one, else direct radio. */
    private LinkModel links() {
        if (links == null) {
            links = sim.shared(LinkModel.class,
                    () -> new ShannonLinks(params.channel(), sim, params.coordinatesPid()));
        }
        return links;
    }

    /** Rate from this node to node {@code to}, bit/s. */
    public double rateBps(int to) {
        return links().rateBps(node.index(), to);
    }

    /** One-way latency from this node to node {@code to}, seconds. */
    public double latency_s(int to) {
        return links().latency_s(node.index(), to);
    }

    /** Time for {@code bytes} to reach node {@code to} once on air: time on air plus latency, seconds. */
    public double delay_s(double bytes, int to) {
        return bytes * 8.0 / rateBps(to) + latency_s(to);
    }

    /** Bytes waiting or on air (never below 0: sums of transfer sizes leave rounding residue). */
    public double backlogBytes() {
        return Math.max(0, backlogBytes);
    }

    /** Queues a transfer of {@code task} (its input for UPLOAD, its output for RESULT) to node {@code to}. */
    public void send(Task task, int to, int kind) {
        task.stage = kind == UPLOAD ? Task.Stage.UPLOADING : Task.Stage.RETURNING;
        task.at = to;
        task.stageStart_s = sim.now();
        pending.add(task);
        pendingKinds.add(kind);
        backlogBytes += bytesOf(task, kind);
        if (onAir == null) {
            startNext();
        }
    }

    @Override
    public void processEvent(Node node, int kind, long arg, Object ref) {
        Task task = (Task) ref;
        if (kind == TX_DONE) {
            tasksOf(task).chargeEnergy(params.channel().txPower_w() * onAirTime_s);
            backlogBytes -= bytesOf(task, (int) arg);
            onAir = null;
            if (!task.isOver()) {
                Node to = sim.node(task.at);
                sim.schedule(latency_s(task.at), to, pid, DELIVER, arg, task);
            }
            startNext();
        } else if (!task.isOver()) {
            deliver(task, (int) arg);
        }
    }

    private void deliver(Task task, int transferKind) {
        double elapsed = sim.now() - task.stageStart_s;
        if (transferKind == UPLOAD) {
            task.transfer_s += elapsed;
            task.decided = true;
            ((Cpu) node.protocol(params.cpuPid())).admit(task);
        } else {
            task.return_s += elapsed;
            tasksOf(task).complete(task);
        }
    }

    private void startNext() {
        while (!pending.isEmpty()) {
            Task task = pending.poll();
            int kind = pendingKinds.poll();
            if (task.isOver()) {
                backlogBytes -= bytesOf(task, kind);
                continue;
            }
            onAir = task;
            onAirTime_s = bytesOf(task, kind) * 8.0 / rateBps(task.at);
            sim.schedule(onAirTime_s, node, pid, TX_DONE, kind, task);
            return;
        }
        backlogBytes = 0; // idle: no rounding residue of the sizes added and taken away carries over
    }

    private static double bytesOf(Task task, int kind) {
        return kind == UPLOAD ? task.inputBytes : task.outputBytes;
    }

    private Tasks tasksOf(Task task) {
        return (Tasks) sim.node(task.origin).protocol(params.tasksPid());
    }
}
