package edgesim.protocol.init;

import edgesim.config.ConfigException;
import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Initializer;
import edgesim.engine.Node;
import edgesim.engine.Simulation;
import edgesim.io.TopologyFile;
import edgesim.protocol.Coordinates;
import edgesim.protocol.Cpu;
import edgesim.protocol.NeighbourTable;
import edgesim.protocol.Radio;
import edgesim.protocol.link.LinkModel;
import edgesim.protocol.link.RouteLinks;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Builds the network of a neighbour-offloading scenario. Without a topology file ({@code topology none}) it
 * places nodes uniformly in a rectangle and links each to its nearest nodes within a radius (see
 * {@link UniformPlacement}, {@link RadiusWiring}). With one, the nodes are the file's compute nodes, agents
 * first (in file order) and then the others, named as in the file; each gets the file's cores and clock
 * rate, a queue of {@code floor(memory / task_memory_bytes)} tasks (at least 1, at most the configured
 * capacity), the file's position if any, and as neighbours the nodes with the lowest route latency to it
 * (reachable both ways; ties by node order). Transfers then follow the file's routes ({@link RouteLinks}).
 */
public final class NetworkBuilder implements Initializer {
    /** @config a topology file path, or {@code none} for a random plane. */
    public static final String PAR_TOPOLOGY = "topology";
    /** @config number of agent nodes; with a file, must equal the nodes it marks as agents. */
    public static final String PAR_AGENTS = "agents";
    /** @config area of the random plane, metres. */
    public static final String PAR_WIDTH = "width_m";
    public static final String PAR_HEIGHT = "height_m";
    /** @config neighbour radius in the random plane, metres. */
    public static final String PAR_RADIUS = "radius_m";
    /** @config memory one queued task occupies, bytes (sets a topology node's queue capacity). */
    public static final String PAR_TASK_MEMORY = "task_memory_bytes";
    /** @config the protocols this builder sets up. */
    public static final String PAR_COORDINATES = "coordinates";
    public static final String PAR_LINKABLE = "linkable";
    public static final String PAR_CPU = "cpu";
    public static final String PAR_RADIO = "radio";

    /** The initializer type; {@code cache} keeps parsed files across the resets of one scenario. */
    public static ComponentTypes.InitializerType type(Map<String, TopologyFile> cache) {
        return (config, sim) -> new NetworkBuilder(config, sim, cache);
    }

    private final Simulation sim;
    private final String topologyKey;
    private final TopologyFile topology;
    private final int agents;
    private final double width_m;
    private final double height_m;
    private final double radius_m;
    private final double taskMemoryBytes;
    private final int coordinatesPid;
    private final int linkablePid;
    private final int cpuPid;
    private final int radioPid;

    NetworkBuilder(ConfigReader config, Simulation sim, Map<String, TopologyFile> cache) {
        this.sim = sim;
        this.topologyKey = config.fullKey(PAR_TOPOLOGY);
        String file = config.getString(PAR_TOPOLOGY);
        this.agents = config.getInt(PAR_AGENTS, 1, sim.size());
        this.width_m = config.getPositive(PAR_WIDTH);
        this.height_m = config.getPositive(PAR_HEIGHT);
        this.radius_m = config.getPositive(PAR_RADIUS);
        this.taskMemoryBytes = config.getPositive(PAR_TASK_MEMORY);
        this.coordinatesPid = sim.pidFromKey(config, PAR_COORDINATES, Coordinates.class);
        this.linkablePid = sim.pidFromKey(config, PAR_LINKABLE, NeighbourTable.class);
        this.cpuPid = sim.pidFromKey(config, PAR_CPU, Cpu.class);
        this.radioPid = sim.pidFromKey(config, PAR_RADIO, Radio.class);
        if (file.equals("none")) {
            this.topology = null;
            return;
        }
        try {
            this.topology = cache.computeIfAbsent(file, f -> TopologyFile.read(config.getFile(PAR_TOPOLOGY)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(topologyKey + ": " + e.getMessage());
        }
        long fileAgents = topology.nodes.stream().filter(TopologyFile.ComputeNode::agent).count();
        if (topology.nodes.size() != sim.size() || fileAgents != agents) {
            throw new ConfigException(topologyKey + " = " + file + ": the file has " + topology.nodes.size()
                    + " compute nodes of which " + fileAgents + " are agents, but the scenario has " + sim.size()
                    + " nodes and " + agents + " agents (pygym sets both from the file)");
        }
    }

    @Override
    public void initialize() {
        if (topology == null) {
            UniformPlacement.place(sim, coordinatesPid, width_m, height_m);
            RadiusWiring.wire(sim, linkablePid, coordinatesPid, radius_m);
            return;
        }
        List<Integer> order = new ArrayList<>();
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < topology.nodes.size(); i++) {
                if (topology.nodes.get(i).agent() == (pass == 0)) {
                    order.add(i);
                }
            }
        }
        int[] fileIndex = order.stream().mapToInt(Integer::intValue).toArray();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < fileIndex.length; i++) {
            TopologyFile.ComputeNode n = topology.nodes.get(fileIndex[i]);
            names.add(n.name());
            Node node = sim.node(i);
            Cpu cpu = (Cpu) node.protocol(cpuPid);
            int capacity = (int) Math.max(1, Math.min(cpu.configuredCapacity(), Math.floor(n.memory_bytes() / taskMemoryBytes)));
            cpu.configure(n.cores(), n.frequency_hz(), capacity);
            Coordinates c = (Coordinates) node.protocol(coordinatesPid);
            c.x_m = n.x_m();
            c.y_m = n.y_m();
        }
        sim.nameNodes(names);
        RouteLinks links = new RouteLinks(topology, fileIndex, ((Radio) sim.node(0).protocol(radioPid)).channel());
        sim.share(LinkModel.class, links);
        for (int i = 0; i < sim.size(); i++) {
            int from = i;
            List<Integer> candidates = new ArrayList<>();
            for (int j = 0; j < sim.size(); j++) {
                if (j != i && links.reachable(i, j) && links.reachable(j, i)) {
                    candidates.add(j);
                }
            }
            candidates.sort(Comparator.<Integer>comparingDouble(j -> links.latency_s(from, j)).thenComparingInt(j -> j));
            NeighbourTable table = (NeighbourTable) sim.node(i).protocol(linkablePid);
            for (int j : candidates) {
                if (table.degree() == table.maxDegree()) {
                    break;
                }
                table.addNeighbor(sim.node(j));
                ((NeighbourTable) sim.node(j).protocol(linkablePid)).addListener(i);
            }
        }
    }
}
