package edgesim.protocol.mec;

import edgesim.config.ConfigException;
import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Initializer;
import edgesim.engine.Node;
import edgesim.engine.Simulation;
import edgesim.io.TopologyFile;
import edgesim.protocol.Coordinates;
import edgesim.protocol.link.LinkModel;
import edgesim.protocol.link.RouteLinks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the network of a MEC scenario: the first {@code devices} nodes are the mobile devices, the rest the
 * servers. Without a topology file ({@code topology none}) it places a cell ({@link CellPlacement}: devices
 * uniform in a disc, servers on a ring) and names the nodes {@code md_0 ...} and {@code es_0 ...} (the
 * prefixes are keys). With one, the devices are the file's compute nodes with role {@code device} that it
 * marks as agents, the servers its nodes with role {@code edge} (and {@code cloud} when {@code cloud_servers}
 * is true), each in file order and named as in the file; devices that are not agents, and cloud nodes
 * otherwise, take no part. The roles are keys too: the scenario's template states them, and pygym reads them
 * there to apply the same rules before any simulator starts. Each device's local CPU and each server's CPU get
 * the file's cores and clock rate, every node its position if the file gives one, and transfers follow the
 * file's routes ({@link RouteLinks}: bottleneck bandwidth, one-way latency; a node whose only links are
 * wireless keeps the uplink's path-loss channel as a cap).
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
    /** @config with a file: the role of the compute nodes that are devices (those marked as agents). */
    public static final String PAR_DEVICE_ROLE = "device_role";
    /** @config with a file: the role of the compute nodes that are servers. */
    public static final String PAR_SERVER_ROLE = "server_role";
    /** @config with a file: the role of the compute nodes that are servers too when cloud_servers is true. */
    public static final String PAR_CLOUD_ROLE = "cloud_role";
    /** @config without a file: devices are named this prefix followed by their index. */
    public static final String PAR_DEVICE_PREFIX = "device_prefix";
    /** @config without a file: servers are named this prefix followed by their index. */
    public static final String PAR_SERVER_PREFIX = "server_prefix";
    /** @config the protocols this builder sets up. */
    public static final String PAR_COORDINATES = "coordinates";
    public static final String PAR_LOCAL = "local";
    public static final String PAR_EDGE = "edge";
    public static final String PAR_UPLINK = "uplink";

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
    private final String devicePrefix;
    private final String serverPrefix;
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
        String deviceRole = config.getString(PAR_DEVICE_ROLE);
        String serverRole = config.getString(PAR_SERVER_ROLE);
        String cloudRole = config.getString(PAR_CLOUD_ROLE);
        this.devicePrefix = config.getString(PAR_DEVICE_PREFIX);
        this.serverPrefix = config.getString(PAR_SERVER_PREFIX);
        config.require(!devicePrefix.startsWith(serverPrefix) && !serverPrefix.startsWith(devicePrefix),
                PAR_SERVER_PREFIX, "a prefix that " + PAR_DEVICE_PREFIX + " (" + devicePrefix
                        + ") neither starts with nor is the start of, so that every node has its own name");
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
            if (n.role().equals(deviceRole) && n.agent()) {
                deviceNodes.add(i);
            } else if (n.role().equals(serverRole) || (cloudServers && n.role().equals(cloudRole))) {
                serverNodes.add(i);
            }
        }
        String serverRule = cloudServers ? "role " + serverRole + " or " + cloudRole : "role " + serverRole + " ("
                + cloudRole + " nodes count only with " + config.fullKey(PAR_CLOUD_SERVERS) + " true)";
        if (deviceNodes.isEmpty()) {
            throw new ConfigException(topologyKey + " = " + file + ": the file has no devices: a MEC scenario's "
                    + "devices are the compute nodes with role " + deviceRole + " marked as agents");
        }
        if (serverNodes.isEmpty()) {
            throw new ConfigException(topologyKey + " = " + file + ": the file has no servers: a MEC scenario's "
                    + "servers are the compute nodes with " + serverRule);
        }
        if (deviceNodes.size() != devices || deviceNodes.size() + serverNodes.size() != sim.size()) {
            throw new ConfigException(topologyKey + " = " + file + ": the file has " + deviceNodes.size()
                    + " devices (role " + deviceRole + ", agent) and " + serverNodes.size() + " servers (" + serverRule
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
                names.add(i < devices ? devicePrefix + i : serverPrefix + (i - devices));
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
