package edgesim.engine;

import edgesim.config.Config;
import edgesim.config.ConfigException;
import edgesim.config.ConfigReader;
import edgesim.io.Excerpt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One discrete-event simulation: nodes holding protocols, initializers, scheduled controls, an event
 * queue ordered by (time, insertion sequence) and named random streams derived from one seed. It is an
 * ordinary object (no statics), so many simulations live side by side in one JVM. It is stepped with
 * {@link #runUntil(double)}; time is in seconds.
 *
 * <p>Configuration keys read here:
 */
public final class Simulation {
    /** @config number of nodes. */
    public static final String PAR_SIZE = "network.size";
    /** @config node names are this prefix followed by the node index (default {@code node_}). */
    public static final String PAR_NODE_PREFIX = "network.node_prefix";
    /** @config first execution time of a control, seconds (default 0). */
    public static final String PAR_CONTROL_FROM = "from_s";
    /** @config interval between executions of a control, seconds. */
    public static final String PAR_CONTROL_STEP = "step_s";
    /** @config no execution at or after this time, seconds (default: never stops). */
    public static final String PAR_CONTROL_UNTIL = "until_s";

    private static final int CONTROL_NODE = -1;
    private static final int MAX_PROTOCOLS = EventQueue.MAX_PID + 1;
    private static final int MAX_KIND = EventQueue.MAX_KIND;

    private final long seed;
    private final ConfigReader config;
    private final Node[] nodes;
    /** handlers[pid][node]: the protocol instances that receive events, looked up without touching nodes. */
    private final EventHandler[][] handlers;
    private final Map<String, Integer> pids = new LinkedHashMap<>();
    private final List<Control> controls = new ArrayList<>();
    private final List<double[]> controlSchedules = new ArrayList<>();
    private final Map<String, Rng> streams = new HashMap<>();
    private final Map<Class<?>, Object> shared = new HashMap<>();
    private final EventQueue queue = new EventQueue();
    /** Keys naming protocols, read while the protocols are configured; checked once their instances exist. */
    private final List<Wiring> pendingWiring = new ArrayList<>();
    private boolean protocolsBuilt;

    /** A key that names a protocol of an expected kind. */
    private record Wiring(String key, String name, int pid, Class<? extends Protocol> expected) {
    }

    private double now;
    private boolean initializing = true;
    private boolean topPending;
    private long eventsProcessed;

    /**
     * Builds the network from {@code config}: protocols (pids in declaration order), nodes, then
     * initializers run in declaration order, then controls scheduled. Throws ConfigException on any bad key.
     */
    public Simulation(Config config, ComponentTypes types, long seed) {
        this(config.reader(), types, seed);
    }

    /** As above, reading through {@code reader} so the caller can read more keys and check for unused ones. */
    public Simulation(ConfigReader reader, ComponentTypes types, long seed) {
        this.seed = seed;
        this.config = reader;
        Config cfg = reader.config();
        int size = reader.getInt(PAR_SIZE, 1, 50_000_000);
        String prefix = reader.getString(PAR_NODE_PREFIX, "node_");

        List<String> protocolNames = cfg.componentNames("protocol");
        if (protocolNames.size() > MAX_PROTOCOLS) {
            throw new ConfigException(cfg.name() + " declares " + protocolNames.size() + " protocols; at most "
                    + MAX_PROTOCOLS + " are supported");
        }
        for (String name : protocolNames) {
            pids.put(name, pids.size());
        }
        nodes = new Node[size];
        for (int i = 0; i < size; i++) {
            nodes[i] = new Node(i, prefix, protocolNames.size());
        }
        List<ComponentTypes.ProtocolFactory> factories = new ArrayList<>();
        List<String> protocolKeys = cfg.componentKeys("protocol");
        for (int pid = 0; pid < protocolKeys.size(); pid++) {
            String key = protocolKeys.get(pid);
            ComponentTypes.ProtocolType type = types.protocolType(key, reader.getString(key));
            factories.add(type.configure(reader.child(key), this, pid));
        }
        handlers = new EventHandler[factories.size()][];
        for (int pid = 0; pid < factories.size(); pid++) {
            handlers[pid] = new EventHandler[size];
        }
        for (Node node : nodes) {
            for (int pid = 0; pid < factories.size(); pid++) {
                Protocol protocol = factories.get(pid).create(node);
                node.setProtocol(pid, protocol);
                if (protocol instanceof EventHandler handler) {
                    handlers[pid][node.index()] = handler;
                }
            }
        }
        protocolsBuilt = true;
        for (Wiring w : pendingWiring) {
            checkWiring(w);
        }
        pendingWiring.clear();

        List<Initializer> initializers = new ArrayList<>();
        for (String key : cfg.componentKeys("init")) {
            initializers.add(types.initializerType(key, reader.getString(key)).create(reader.child(key), this));
        }
        for (String key : cfg.componentKeys("control")) {
            ConfigReader c = reader.child(key);
            Control control = types.controlType(key, reader.getString(key)).create(c, this);
            double from = c.getDouble(PAR_CONTROL_FROM, 0, Double.MAX_VALUE, 0);
            double step = c.getPositive(PAR_CONTROL_STEP);
            double until = c.getDouble(PAR_CONTROL_UNTIL, 0, Double.MAX_VALUE, Double.MAX_VALUE);
            controlSchedules.add(new double[] {step, until});
            controls.add(control);
            if (from < until) {
                queue.push(from, CONTROL_NODE, controls.size() - 1, 0, 0, null);
            }
        }
        for (Initializer init : initializers) {
            init.initialize();
        }
        initializing = false;
    }

    /** The seed every random stream of this simulation derives from. */
    public long seed() {
        return seed;
    }

    /** Current simulated time, seconds. */
    public double now() {
        return now;
    }

    /** Number of nodes. */
    public int size() {
        return nodes.length;
    }

    /** Node {@code index}. */
    public Node node(int index) {
        return nodes[index];
    }

    /** Protocol id of the protocol declared as {@code protocol.NAME}; ConfigException if absent. */
    public int pid(String name) {
        Integer pid = pids.get(name);
        if (pid == null) {
            throw new ConfigException("no protocol named '" + name + "'; declared: " + String.join(", ", pids.keySet()));
        }
        return pid;
    }

    /**
     * Protocol id named by the configuration key {@code key} of {@code reader}, checked to be a declared
     * protocol of kind {@code expected}, other than the protocol whose key it is. Keys read while protocols
     * are configured are checked as soon as the protocols exist, before any initializer runs.
     */
    public int pidFromKey(ConfigReader reader, String key, Class<? extends Protocol> expected) {
        String full = reader.fullKey(key);
        String name = reader.getString(key);
        Integer pid = pids.get(name);
        if (pid == null) {
            throw new ConfigException(full + " = " + Excerpt.of(name) + ": no such protocol; declared: "
                    + String.join(", ", pids.keySet()));
        }
        if (full.equals("protocol." + name + "." + key)) {
            throw new ConfigException(full + " = " + name + ": protocol '" + name + "' cannot be wired to itself; "
                    + "expected a " + expected.getSimpleName() + fitting(expected));
        }
        Wiring wiring = new Wiring(full, name, pid, expected);
        if (protocolsBuilt) {
            checkWiring(wiring);
        } else {
            pendingWiring.add(wiring);
        }
        return pid;
    }

    private void checkWiring(Wiring w) {
        Protocol protocol = nodes[0].protocol(w.pid());
        if (!w.expected().isInstance(protocol)) {
            throw new ConfigException(w.key() + " = " + w.name() + ": protocol '" + w.name() + "' is a "
                    + protocol.getClass().getSimpleName() + ", expected a " + w.expected().getSimpleName()
                    + fitting(w.expected()));
        }
    }

    /** "; declared protocols of that kind: a, b" (or that there is none), once protocols exist. */
    private String fitting(Class<? extends Protocol> expected) {
        if (!protocolsBuilt) {
            return "";
        }
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, Integer> e : pids.entrySet()) {
            if (expected.isInstance(nodes[0].protocol(e.getValue()))) {
                names.add(e.getKey());
            }
        }
        return names.isEmpty() ? " (no declared protocol is one)"
                : " (declared protocols of that kind: " + String.join(", ", names) + ")";
    }

    /** The random stream {@code name}: the same name gives the same stream for the same seed. */
    public Rng random(String name) {
        return streams.computeIfAbsent(name, n -> new Rng(Rng.streamSeed(seed, n)));
    }

    /**
     * Renames the nodes (an initializer giving them the names of a topology file). Only during
     * initialization; names must be unique and non-empty.
     */
    public void nameNodes(java.util.List<String> names) {
        if (!initializing) {
            throw new IllegalStateException("nodes can only be renamed by an initializer");
        }
        if (names.size() != nodes.length) {
            throw new IllegalArgumentException(names.size() + " names for " + nodes.length + " nodes");
        }
        if (new java.util.HashSet<>(names).size() != names.size() || names.contains("")) {
            throw new IllegalArgumentException("node names must be unique and non-empty");
        }
        for (int i = 0; i < nodes.length; i++) {
            nodes[i].rename(names.get(i));
        }
    }

    /**
     * Registers the per-simulation object of {@code type} (a model that replaces a default, such as the
     * link model a topology provides). Only during initialization, and only once per type.
     */
    public <T> void share(Class<T> type, T value) {
        if (!initializing) {
            throw new IllegalStateException("shared " + type.getSimpleName() + " can only be set by an initializer");
        }
        if (shared.putIfAbsent(type, value) != null) {
            throw new IllegalStateException("shared " + type.getSimpleName() + " is already set");
        }
    }

    /** The per-simulation object of {@code type}, or null if none was created or shared. */
    public <T> T sharedOrNull(Class<T> type) {
        return type.cast(shared.get(type));
    }

    /** A per-simulation object of {@code type}, created on first use (shared bookkeeping of one run). */
    public <T> T shared(Class<T> type, Supplier<T> create) {
        Object value = shared.get(type);
        if (value == null) {
            value = create.get();
            shared.put(type, value);
        }
        return type.cast(value);
    }

    /** The root configuration reader of this simulation (records which keys were read). */
    public ConfigReader config() {
        return config;
    }

    /** Number of events delivered so far. */
    public long eventsProcessed() {
        return eventsProcessed;
    }

    /** Number of pending events. */
    public int pendingEvents() {
        return queue.size() - (topPending ? 1 : 0);
    }

    /** Schedules an event for protocol {@code pid} of {@code node} after {@code delay_s} seconds (&gt;= 0). */
    public void schedule(double delay_s, Node node, int pid, int kind, long arg, Object ref) {
        schedule(delay_s, node.index(), pid, kind, arg, ref);
    }

    /** As above, addressing the node by index (saves loading the node on hot paths). */
    public void schedule(double delay_s, int nodeIndex, int pid, int kind, long arg, Object ref) {
        if (!(delay_s >= 0) || delay_s == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("event delay must be finite and >= 0, got " + delay_s
                    + " (node " + nodeIndex + ", pid " + pid + ", kind " + kind + ")");
        }
        if (kind < 0 || kind > MAX_KIND) {
            throw new IllegalArgumentException("event kind " + kind + " is outside 0.." + MAX_KIND);
        }
        double time = now + delay_s;
        if (topPending) {
            topPending = false;
            queue.replaceTop(time, nodeIndex, pid, kind, arg, ref);
        } else {
            queue.push(time, nodeIndex, pid, kind, arg, ref);
        }
    }

    /**
     * Delivers, in (time, sequence) order, every event whose time is before {@code t_s}, then sets the clock
     * to {@code t_s}. Events at exactly {@code t_s} stay pending for the next call.
     */
    public void runUntil(double t_s) {
        if (t_s < now) {
            throw new IllegalArgumentException("cannot run back in time: now " + now + " s, asked " + t_s + " s");
        }
        EventQueue q = queue;
        while (q.size() > 0 && q.topTime() < t_s) {
            int slot = q.topSlot();
            now = q.topTime();
            int nodeIndex = q.node(slot);
            int pid = q.pid(slot);
            int kind = q.kind(slot);
            long arg = q.arg(slot);
            Object ref = q.ref(slot);
            // The delivered event stays on top until the handler schedules its first event, which then
            // takes its place: one heap sift per event instead of two in the common case.
            topPending = true;
            eventsProcessed++;
            if (nodeIndex == CONTROL_NODE) {
                runControl(pid);
            } else {
                handlers[pid][nodeIndex].processEvent(nodes[nodeIndex], kind, arg, ref);
            }
            if (topPending) {
                topPending = false;
                q.pop();
            }
        }
        now = t_s;
    }

    private void runControl(int index) {
        controls.get(index).execute();
        double[] schedule = controlSchedules.get(index);
        double next = now + schedule[0];
        if (next < schedule[1]) {
            if (topPending) {
                topPending = false;
                queue.replaceTop(next, CONTROL_NODE, index, 0, 0, null);
            } else {
                queue.push(next, CONTROL_NODE, index, 0, 0, null);
            }
        }
    }

    /** Throws ConfigException naming every configuration key that no component read. */
    public void checkAllKeysUsed() {
        List<String> unused = config.unusedKeys();
        if (!unused.isEmpty()) {
            throw new ConfigException("keys not read by any component of " + config.config().name() + ": "
                    + String.join(", ", unused));
        }
    }
}
