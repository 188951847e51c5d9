package edgesim.protocol;

import edgesim.config.ConfigException;
import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Initializer;
import edgesim.engine.Node;
import edgesim.engine.Simulation;
import edgesim.io.TopologyFile;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the network of a MEC scenario: the first {@code devices} nodes are the mobile devices, the rest the
 * servers. Without a topology file ({@code topology none}) it places a cell ({@link CellPlacement}: devices
 * uniform in a disc, servers on a ring) and names the nodes {@code md_0 ...} and {@code es_0 ...}. With one,
 * the devices are the file's compute nodes with role {@code device} that it marks as agents, the servers its
 * nodes with role {@code edge} (and {@code cloud} when {@code cloud_servers} is true), each in file order and
 * named as in the file; devices that are not agents, and cloud nodes otherwise, take no part. Each device's
 * local CPU and each server's CPU get the file's cores and clock rate, every node its position if the file
 * gives one, and transfers follow the file's routes ({@link RouteLinks}: bottleneck bandwidth, one-way
 * latency; a node whose only links are wireless keeps the uplink's path-loss channel as a cap).
 */
public final class MecNetwork implements Initializer {
    /** @config a topology file path, or {@code none} for a cell. */
    public static final String PAR_TOPOLOGY = "topology";
    /** @config number of devices (the first nodes); with a file, must equal its device agents. */
    public static final String PAR_DEVICES = "devices";
    /** @config with a file: whether its cloud nodes are servers too ({@code true} or {@code false}). */
    public static final String PAR_CLOUD_SERVERS = "cloud_servers";
    /** @config cell radius, metres (without a file). */
    public static final String PAR_RADIUS = "radius_m";
    /** @config radius of the circle the servers stand on, metres (without a file). */
    public static final String PAR_SERVER_RING = "server_ring_m";
    /** @config the protocols this builder sets up. */
    public static final String PAR_COORDINATES = "coordinates";
    public static final String PAR_LOCAL = "local";
    public static final String PAR_EDGE = "edge";
    public static final String PAR_UPLINK = "uplink";

    /** Roles of the file's compute nodes that this builder uses. */
    public static final String ROLE_DEVICE = "device";
    public static final String ROLE_EDGE = "edge";
    public static final String ROLE_CLOUD = "cloud";

    /** The initializer type; {@code cache} keeps parsed files across the resets of one scenario. */
    public static ComponentTypes.InitializerType type(Map<String, TopologyFile> cache) {
        return (config, sim) -> new MecNetwork(config, sim, cache);
    }

    private final Simulation sim;
    private final int devices;
    private final double radius_m;
    private final double ring_m;
    private final int coordinatesPid;
    private final int localPid;
    private final int edgePid;
    private final int uplinkPid;
    private final TopologyFile topology;
    /** With a file: fileIndex[simulation node] = the node's index in the file; devices first, then servers. */
    private final int[] fileIndex;

    MecNetwork(ConfigReader config, Simulation sim, Map<String, TopologyFile> cache) {
        this.sim = sim;
        String topologyKey = config.fullKey(PAR_TOPOLOGY);
        String file = config.getString(PAR_TOPOLOGY);
        this.devices = config.getInt(PAR_DEVICES, 1, Math.max(1, sim.size() - 1));
        config.require(devices < sim.size(), PAR_DEVICES, "fewer devices than nodes (" + sim.size()
                + "), so that at least one node is a server");
        boolean cloudServers = config.getBoolean(PAR_CLOUD_SERVERS);
        this.radius_m = config.getPositive(PAR_RADIUS);
        this.ring_m = config.getDouble(PAR_SERVER_RING, 0, radius_m);
        this.coordinatesPid = sim.pidFromKey(config, PAR_COORDINATES, Coordinates.class);
        this.localPid = sim.pidFromKey(config, PAR_LOCAL, MecCpu.class);
        this.edgePid = sim.pidFromKey(config, PAR_EDGE, MecCpu.class);
        this.uplinkPid = sim.pidFromKey(config, PAR_UPLINK, Uplink.class);
        if (file.equals("none")) {
            this.topology = null;
            this.fileIndex = null;
            return;
        }
        try {
            this.topology = cache.computeIfAbsent(file, f -> TopologyFile.read(config.getFile(PAR_TOPOLOGY)));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(topologyKey + ": " + e.getMessage());
        }
        List<Integer> deviceNodes = new ArrayList<>();
        List<Integer> serverNodes = new ArrayList<>();
        for (int i = 0; i < topology.nodes.size(); i++) {
            TopologyFile.ComputeNode n = topology.nodes.get(i);
            if (n.role().equals(ROLE_DEVICE) && n.agent()) {
                deviceNodes.add(i);
            } else if (n.role().equals(ROLE_EDGE) || (cloudServers && n.role().equals(ROLE_CLOUD))) {
                serverNodes.add(i);
            }
        }
        String serverRule = cloudServers ? "role edge or cloud" : "role edge (cloud nodes count only with "
                + config.fullKey(PAR_CLOUD_SERVERS) + " true)";
        if (deviceNodes.isEmpty()) {
            throw new ConfigException(topologyKey + " = " + file + ": the file has no devices: a MEC scenario's "
                    + "devices are the compute nodes with role device marked as agents");
        }
        if (serverNodes.isEmpty()) {
            throw new ConfigException(topologyKey + " = " + file + ": the file has no servers: a MEC scenario's "
                    + "servers are the compute nodes with " + serverRule);
        }
        if (deviceNodes.size() != devices || deviceNodes.size() + serverNodes.size() != sim.size()) {
            throw new ConfigException(topologyKey + " = " + file + ": the file has " + deviceNodes.size()
                    + " devices (role device, agent) and " + serverNodes.size() + " servers (" + serverRule
                    + "), but the scenario has " + devices + " devices and " + (sim.size() - devices)
                    + " servers (pygym sets both from the file)");
        }
        List<Integer> order = new ArrayList<>(deviceNodes);
        order.addAll(serverNodes);
        this.fileIndex = order.stream().mapToInt(Integer::intValue).toArray();
        for (int d : deviceNodes) {
            for (int s : serverNodes) {
                String unreachable = Double.isNaN(topology.latency_s[d][s]) ? "to"
                        : Double.isNaN(topology.latency_s[s][d]) ? "from" : null;
                if (unreachable != null) {
                    throw new ConfigException(topologyKey + " = " + file + ": device " + topology.nodes.get(d).name()
                            + " has no route " + unreachable + " server " + topology.nodes.get(s).name()
                            + " (every device must reach every server and back)");
                }
            }
        }
    }

    @Override
    public void initialize() {
        List<String> names = new ArrayList<>();
        if (topology == null) {
            CellPlacement.place(sim, coordinatesPid, devices, radius_m, ring_m);
            for (int i = 0; i < sim.size(); i++) {
                names.add(i < devices ? "md_" + i : "es_" + (i - devices));
            }
            sim.nameNodes(names);
            return;
        }
        for (int i = 0; i < fileIndex.length; i++) {
            TopologyFile.ComputeNode n = topology.nodes.get(fileIndex[i]);
            names.add(n.name());
            Node node = sim.node(i);
            ((MecCpu) node.protocol(i < devices ? localPid : edgePid)).configure(n.cores(), n.frequency_hz());
            Coordinates c = (Coordinates) node.protocol(coordinatesPid);
            c.x_m = n.x_m();
            c.y_m = n.y_m();
        }
        sim.nameNodes(names);
        Uplink uplink = (Uplink) sim.node(0).protocol(uplinkPid);
        sim.share(LinkModel.class, new RouteLinks(topology, fileIndex, uplink.channel()::rateBps));
    }
}
