package edgesim.protocol;

import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.EventHandler;
import edgesim.engine.Node;
import edgesim.engine.Simulation;

/**
 * Every {@code interval_s} a node announces its load (waiting tasks, free queue slots) to the nodes that
 * list it as a neighbour. An announcement of {@code bytes} arrives after its time on air plus propagation,
 * so neighbour loads are seen as they were when sent, and their age is known. Announcements use a control
 * channel: they do not wait for or delay task transfers.
 */
public final class LoadBeacon implements EventHandler {
    /** @config interval between announcements, seconds. */
    public static final String PAR_INTERVAL = "interval_s";
    /** @config size of one announcement, bytes. */
    public static final String PAR_BYTES = "bytes";
    /** @config the NeighbourTable protocol (listeners, and where announcements are recorded). */
    public static final String PAR_LINKABLE = "linkable";
    /** @config the Cpu protocol whose load is announced. */
    public static final String PAR_CPU = "cpu";
    /** @config the Radio protocol whose channel carries announcements. */
    public static final String PAR_RADIO = "radio";

    static final int SEND = 1;
    static final int RECEIVE = 2;
    private static final int FIELD_BITS = 21;
    private static final long FIELD_MASK = (1L << FIELD_BITS) - 1;

    record Params(double interval, double bytes, int linkablePid, int cpuPid, int radioPid) {
        Params(ConfigReader c, Simulation sim) {
            this(c.getPositive(PAR_INTERVAL), c.getPositive(PAR_BYTES), sim.pidFromKey(c, PAR_LINKABLE, NeighbourTable.class),
                    sim.pidFromKey(c, PAR_CPU, Cpu.class), sim.pidFromKey(c, PAR_RADIO, Radio.class));
            c.require(sim.size() < (1 << (64 - 2 * FIELD_BITS - 1)), PAR_INTERVAL,
                    "a network of fewer than 2^" + (64 - 2 * FIELD_BITS - 1) + " nodes (beacons pack the sender index)");
        }
    }

    public static final ComponentTypes.ProtocolType TYPE = (config, sim, pid) -> {
        Params p = new Params(config, sim);
        return node -> new LoadBeacon(p, sim, node, pid);
    };

    private final Params params;
    private final Simulation sim;
    private final int pid;
    private double[] delays_s;

    LoadBeacon(Params params, Simulation sim, Node node, int pid) {
        this.params = params;
        this.sim = sim;
        this.pid = pid;
        sim.schedule(0, node, pid, SEND, 0, null);
    }

    @Override
    public void processEvent(Node node, int kind, long arg, Object ref) {
        if (kind == SEND) {
            announce(node);
            sim.schedule(params.interval(), node, pid, SEND, 0, null);
        } else {
            int sender = (int) (arg >>> (2 * FIELD_BITS));
            int queued = (int) ((arg >>> FIELD_BITS) & FIELD_MASK);
            int free = (int) (arg & FIELD_MASK);
            Radio senderRadio = (Radio) sim.node(sender).protocol(params.radioPid());
            double sentAt = sim.now() - senderRadio.delay_s(params.bytes(), node.index());
            ((NeighbourTable) node.protocol(params.linkablePid())).hear(sender, queued, free, sentAt);
        }
    }

    private void announce(Node node) {
        NeighbourTable table = (NeighbourTable) node.protocol(params.linkablePid());
        Cpu cpu = (Cpu) node.protocol(params.cpuPid());
        Radio radio = (Radio) node.protocol(params.radioPid());
        if (delays_s == null) {
            delays_s = new double[table.listenerCount()];
            for (int i = 0; i < delays_s.length; i++) {
                delays_s[i] = radio.delay_s(params.bytes(), table.listener(i));
            }
        }
        long load = ((long) node.index() << (2 * FIELD_BITS))
                | (Math.min(cpu.queuedTasks(), FIELD_MASK) << FIELD_BITS)
                | Math.min(cpu.freeSlots(), FIELD_MASK);
        for (int i = 0; i < delays_s.length; i++) {
            sim.schedule(delays_s[i], sim.node(table.listener(i)), pid, RECEIVE, load, null);
        }
    }
}
