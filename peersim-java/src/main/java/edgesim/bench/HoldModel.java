package edgesim.bench;

import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.EventHandler;
import edgesim.engine.Node;
import edgesim.engine.Rng;
import edgesim.engine.Simulation;

/**
 * PeerSim's classic hold-model workload: every node keeps one pending event; each delivered event schedules
 * one new event, to the same node or (with probability {@code remote_fraction}) to a uniformly random node,
 * after an integer delay uniform in 1..{@code max_delay_ticks} ticks. It allocates nothing per event.
 */
public final class HoldModel implements EventHandler {
    /** @config largest delay, ticks. */
    public static final String PAR_MAX_DELAY = "max_delay_ticks";
    /** @config length of a tick, seconds. */
    public static final String PAR_TICK = "tick_s";
    /** @config probability that an event goes to a uniformly random node instead of its own. */
    public static final String PAR_REMOTE = "remote_fraction";

    record Params(int maxDelay, double tick, double remote) {
        Params(ConfigReader c) {
            this(c.getInt(PAR_MAX_DELAY, 1, 1 << 30), c.getPositive(PAR_TICK), c.getDouble(PAR_REMOTE, 0, 1));
        }
    }

    public static final ComponentTypes.InitializerType START = Start::new;

    public static final ComponentTypes.ProtocolType TYPE = (config, sim, pid) -> {
        Params p = new Params(config);
        Rng rng = sim.random("hold");
        return node -> new HoldModel(p, sim, pid, rng, node);
    };

    private final Params params;
    private final Simulation sim;
    private final int pid;
    private final Rng rng;
    private final int nodeIndex;

    HoldModel(Params params, Simulation sim, int pid, Rng rng, Node node) {
        this.params = params;
        this.sim = sim;
        this.pid = pid;
        this.rng = rng;
        this.nodeIndex = node.index();
    }

    /** The first event of each node, once all nodes exist. */
    static final class Start implements edgesim.engine.Initializer {
        private final Simulation sim;
        private final int pid;

        Start(ConfigReader config, Simulation sim) {
            this.sim = sim;
            this.pid = sim.pidFromKey(config, "protocol", HoldModel.class);
        }

        @Override
        public void initialize() {
            for (int i = 0; i < sim.size(); i++) {
                ((HoldModel) sim.node(i).protocol(pid)).scheduleNext(i);
            }
        }
    }

    void scheduleNext(int target) {
        sim.schedule(delay(), target, pid, 0, 0, null);
    }

    private double delay() {
        return (1 + rng.nextInt(params.maxDelay())) * params.tick();
    }

    @Override
    public void processEvent(Node node, int kind, long arg, Object ref) {
        int target = rng.nextDouble() < params.remote() ? rng.nextInt(sim.size()) : nodeIndex;
        sim.schedule(delay(), target, pid, 0, arg + 1, null);
    }
}
