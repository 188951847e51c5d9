package edgesim.io;

import edgesim.model.Hardware;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A topology file (format "pygym-topology", version 1; see topologies/FORMAT.md): its compute nodes and
 * the route matrices between them. The simulator takes routes from the file (pygym writes them in when
 * a file has none, with the one routing implementation the project has, in Python); it checks everything
 * it reads and rejects a file that breaks a rule, naming the element and the rule.
 */
public final class TopologyFile {
    /** One compute node. Position is NaN when the file gives none. */
    public record ComputeNode(String name, String type, String role, boolean agent, int cores, double frequency_hz,
            double memory_bytes, double x_m, double y_m, boolean wireless) {
    }

    private static final Set<String> TOP_LEVEL = Set.of("format", "version", "name", "provenance",
            "latency_distributions", "compute_nodes", "switches", "links", "routes");

    // The range of every number in the file (topologies/FORMAT.md, "Ranges"; cores and clock rates are
    // Hardware's); topologies.limits checks the same in Python. Far beyond real hardware, so only a typo or a
    // hostile file is refused, and tight enough that no value can exhaust memory or make a transfer or a
    // service time infinite.
    /** Memory of one compute node, bytes (1 PB). */
    public static final double MAX_MEMORY_BYTES = 1e15;
    /** Largest absolute position coordinate, metres. */
    public static final double MAX_POSITION_M = 1e8;
    /** Bandwidth of a link, of a shared-medium switch and of a route's bottleneck, bit/s. */
    public static final double MIN_BANDWIDTH_BPS = 1;
    public static final double MAX_BANDWIDTH_BPS = 1e15;
    /** One-way latency of one link, and loc_s and scale_s of a latency distribution, seconds. */
    public static final double MAX_LATENCY_S = 3600;
    /** Shape s of a latency distribution. */
    public static final double MAX_LOGNORMAL_S = 10;

    public final String path;
    public final String routing;
    public final List<ComputeNode> nodes;
    /** One-way latency, seconds; NaN where unreachable. Indexed in {@link #nodes} order. */
    public final double[][] latency_s;
    /** Bottleneck bandwidth, bit/s; NaN on the diagonal and where unreachable. */
    public final double[][] bottleneck_bps;

    private TopologyFile(String path, String routing, List<ComputeNode> nodes, double[][] latency_s,
            double[][] bottleneck_bps) {
        this.path = path;
        this.routing = routing;
        this.nodes = nodes;
        this.latency_s = latency_s;
        this.bottleneck_bps = bottleneck_bps;
    }

    /** Reads and checks {@code path}; IllegalArgumentException names the file, the element and the rule. */
    public static TopologyFile read(Path path) {
        return parse(IoFailure.readUtf8(path, "topology file"), path.toString());
    }

    /** Parses and checks topology JSON text; {@code source} names it in errors. */
    public static TopologyFile parse(String text, String source) {
        Map<String, Object> root = object(JsonReader.parse(text, source), source, "the document");
        for (String key : root.keySet()) {
            if (!TOP_LEVEL.contains(key)) {
                throw new IllegalArgumentException(source + ": unknown top-level field '" + Excerpt.of(key) + "'");
            }
        }
        if (!"pygym-topology".equals(root.get("format"))) {
            throw new IllegalArgumentException(source + ": format must be \"pygym-topology\", got "
                    + Excerpt.of(root.get("format")));
        }
        if (!Double.valueOf(1).equals(root.get("version"))) {
            throw new IllegalArgumentException(source + ": unsupported version " + Excerpt.of(root.get("version"))
                    + " (this simulator reads version 1)");
        }
        if (root.get("latency_distributions") != null) {
            Map<String, Object> distributions = object(root.get("latency_distributions"), source, "latency_distributions");
            for (Map.Entry<String, Object> d : distributions.entrySet()) {
                String where = source + ": latency_distributions['" + Excerpt.of(d.getKey()) + "']";
                Map<String, Object> fields = object(d.getValue(), source, "latency_distributions['"
                        + Excerpt.of(d.getKey()) + "']");
                inRange(fields.get("s"), where, "s", Double.MIN_VALUE, MAX_LOGNORMAL_S, false);
                inRange(fields.get("loc_s"), where, "loc_s", 0, MAX_LATENCY_S, false);
                inRange(fields.get("scale_s"), where, "scale_s", Double.MIN_VALUE, MAX_LATENCY_S, false);
            }
        }
        List<ComputeNode> nodes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<Object> computeNodes = array(root.get("compute_nodes"), source, "compute_nodes");
        for (int i = 0; i < computeNodes.size(); i++) {
            Map<String, Object> n = object(computeNodes.get(i), source, "compute_nodes[" + i + "]");
            String name = string(n.get("name"), source + ": compute_nodes[" + i + "].name");
            String element = "compute_nodes[" + i + "] (" + Excerpt.of(name) + ")";
            String where = source + ": " + element;
            if (!names.add(name)) {
                throw new IllegalArgumentException(where + ": duplicate name '" + Excerpt.of(name) + "'");
            }
            double cores = inRange(n.get("cores"), where, "cores", 1, Hardware.MAX_CORES, true);
            double hz = inRange(n.get("frequency_hz"), where, "frequency_hz", Hardware.MIN_HZ, Hardware.MAX_HZ, false);
            double memory = inRange(n.get("memory_bytes"), where, "memory_bytes", 1, MAX_MEMORY_BYTES, true);
            Object agent = n.get("agent");
            if (!(agent instanceof Boolean)) {
                throw new IllegalArgumentException(where + ": agent must be true or false, got " + Excerpt.of(agent));
            }
            double x = Double.NaN;
            double y = Double.NaN;
            if (n.get("position_m") != null) {
                List<Object> p = array(n.get("position_m"), source, element + ".position_m");
                if (p.size() != 2) {
                    throw new IllegalArgumentException(where + ": position_m must be [x, y]");
                }
                x = inRange(p.get(0), where, "position_m[0]", -MAX_POSITION_M, MAX_POSITION_M, false);
                y = inRange(p.get(1), where, "position_m[1]", -MAX_POSITION_M, MAX_POSITION_M, false);
            }
            nodes.add(new ComputeNode(name, string(n.get("type"), where + ".type"),
                    string(n.get("role"), where + ".role"), (Boolean) agent, (int) cores, hz, memory, x, y, false));
        }
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException(source + ": compute_nodes is empty");
        }
        List<Object> switches = array(root.get("switches"), source, "switches");
        for (int i = 0; i < switches.size(); i++) {
            Map<String, Object> s = object(switches.get(i), source, "switches[" + i + "]");
            String name = string(s.get("name"), source + ": switches[" + i + "].name");
            String where = source + ": switches[" + i + "] (" + Excerpt.of(name) + ")";
            if (!names.add(name)) {
                throw new IllegalArgumentException(where
                        + ": duplicate name (names are unique across compute nodes and switches)");
            }
            if (s.get("bandwidth_bps") != null) {
                inRange(s.get("bandwidth_bps"), where, "bandwidth_bps", MIN_BANDWIDTH_BPS, MAX_BANDWIDTH_BPS, false);
            }
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            index.put(nodes.get(i).name(), i);
        }
        boolean[] wired = new boolean[nodes.size()];
        boolean[] wireless = new boolean[nodes.size()];
        List<Object> links = array(root.get("links"), source, "links");
        for (int i = 0; i < links.size(); i++) {
            Map<String, Object> l = object(links.get(i), source, "links[" + i + "]");
            String a = string(l.get("source"), source + ": links[" + i + "].source");
            String b = string(l.get("target"), source + ": links[" + i + "].target");
            String where = source + ": links[" + i + "] (" + Excerpt.of(a) + " - " + Excerpt.of(b) + ")";
            for (String end : List.of(a, b)) {
                if (!names.contains(end)) {
                    throw new IllegalArgumentException(where + ": unknown node '" + Excerpt.of(end) + "'");
                }
            }
            if (a.equals(b)) {
                throw new IllegalArgumentException(where + ": a link needs two different endpoints");
            }
            inRange(l.get("bandwidth_bps"), where, "bandwidth_bps", MIN_BANDWIDTH_BPS, MAX_BANDWIDTH_BPS, false);
            inRange(l.get("latency_s"), where, "latency_s", 0, MAX_LATENCY_S, false);
            boolean isWireless = "wireless".equals(l.get("kind"));
            for (String end : List.of(a, b)) {
                Integer k = index.get(end);
                if (k != null) {
                    (isWireless ? wireless : wired)[k] = true;
                }
            }
        }
        for (int i = 0; i < nodes.size(); i++) {
            ComputeNode n = nodes.get(i);
            boolean onlyWireless = wireless[i] && !wired[i];
            if (onlyWireless && Double.isNaN(n.x_m())) {
                throw new IllegalArgumentException(source + ": compute node " + Excerpt.of(n.name())
                        + " has only wireless links but no position_m (its channel needs a distance)");
            }
            nodes.set(i, new ComputeNode(n.name(), n.type(), n.role(), n.agent(), n.cores(), n.frequency_hz(),
                    n.memory_bytes(), n.x_m(), n.y_m(), onlyWireless));
        }
        Object routesValue = root.get("routes");
        if (routesValue == null) {
            throw new IllegalArgumentException(source + ": the file has no route matrices; add them with "
                    + "`pygym topology generate ... --routes` (pygym.make adds them itself)");
        }
        Map<String, Object> routes = object(routesValue, source, "routes");
        String routing = string(routes.get("routing"), source + ": routes.routing");
        List<Object> routeNodes = array(routes.get("nodes"), source, "routes.nodes");
        int n = nodes.size();
        if (routeNodes.size() != n) {
            throw new IllegalArgumentException(source + ": routes.nodes lists " + routeNodes.size()
                    + " nodes, the file has " + n + " compute nodes");
        }
        for (int i = 0; i < n; i++) {
            if (!nodes.get(i).name().equals(routeNodes.get(i))) {
                throw new IllegalArgumentException(source + ": routes.nodes[" + i + "] is "
                        + Excerpt.of(routeNodes.get(i)) + ", expected " + Excerpt.of(nodes.get(i).name())
                        + " (compute_nodes order)");
            }
        }
        double[][] latency = matrix(routes.get("latency_s"), n, source, "routes.latency_s");
        double[][] bottleneck = matrix(routes.get("bottleneck_bps"), n, source, "routes.bottleneck_bps");
        double[][] hops = matrix(routes.get("hops"), n, source, "routes.hops");
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                String where = source + ": route " + Excerpt.of(nodes.get(i).name()) + " -> "
                        + Excerpt.of(nodes.get(j).name());
                if (i == j) {
                    if (latency[i][j] != 0 || hops[i][j] != 0 || !Double.isNaN(bottleneck[i][j])) {
                        throw new IllegalArgumentException(where + ": on the diagonal latency_s must be 0, hops 0 "
                                + "and bottleneck_bps null");
                    }
                    continue;
                }
                boolean unreachable = Double.isNaN(latency[i][j]);
                if (unreachable != Double.isNaN(bottleneck[i][j]) || unreachable != (hops[i][j] == -1)) {
                    throw new IllegalArgumentException(where + ": latency_s null, bottleneck_bps null and hops -1 "
                            + "go together (unreachable), else all are numbers");
                }
                if (unreachable) {
                    continue;
                }
                double h = inRange(hops[i][j], where, "hops", 1, links.size(), true);
                inRange(latency[i][j], where, "latency_s", 0, h * MAX_LATENCY_S, false);
                inRange(bottleneck[i][j], where, "bottleneck_bps", MIN_BANDWIDTH_BPS, MAX_BANDWIDTH_BPS, false);
            }
        }
        return new TopologyFile(source, routing, List.copyOf(nodes), latency, bottleneck);
    }

    /**
     * {@code value} as a number in [min, max] (an integer if {@code integer}); IllegalArgumentException
     * naming the element ({@code where}), the field, the range and the value otherwise.
     */
    private static double inRange(Object value, String where, String field, double min, double max, boolean integer) {
        if (!(value instanceof Double d) || !Double.isFinite(d) || d < min || d > max
                || (integer && d != Math.rint(d))) {
            String range = min == Double.MIN_VALUE ? "(0, " + number(max) + "]" : "[" + number(min) + ", " + number(max) + "]";
            throw new IllegalArgumentException(where + ": " + field + " must be " + (integer ? "an integer" : "a number")
                    + " in " + range + ", got " + (value instanceof Double d ? number(d) : Excerpt.of(value)));
        }
        return d;
    }

    /** A number as JSON writes it: 4096, 0.5, 1e15, 2.147483648e9 (Java's shortest form, lower-case e). */
    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e7) {
            return Long.toString((long) v);
        }
        return Double.toString(v).replace(".0E", "e").replace("E", "e");
    }

    private static double[][] matrix(Object value, int n, String source, String what) {
        List<Object> rows = array(value, source, what);
        if (rows.size() != n) {
            throw new IllegalArgumentException(source + ": " + what + " has " + rows.size() + " rows, expected " + n);
        }
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            List<Object> row = array(rows.get(i), source, what + "[" + i + "]");
            if (row.size() != n) {
                throw new IllegalArgumentException(source + ": " + what + "[" + i + "] has " + row.size()
                        + " entries, expected " + n);
            }
            for (int j = 0; j < n; j++) {
                Object cell = row.get(j);
                if (cell != null && !(cell instanceof Double)) {
                    throw new IllegalArgumentException(source + ": " + what + "[" + i + "][" + j
                            + "] must be a number or null, got " + Excerpt.of(cell));
                }
                m[i][j] = cell == null ? Double.NaN : (Double) cell;
            }
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value, String source, String what) {
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException(source + ": " + what + " must be an object");
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> array(Object value, String source, String what) {
        if (!(value instanceof List)) {
            throw new IllegalArgumentException(source + ": " + what + " must be an array");
        }
        return (List<Object>) value;
    }

    private static String string(Object value, String what) {
        if (!(value instanceof String s) || s.isEmpty()) {
            throw new IllegalArgumentException(what + " must be a non-empty string, got " + Excerpt.of(value));
        }
        return s;
    }
}
