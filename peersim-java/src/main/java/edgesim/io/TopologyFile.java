package edgesim.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read topology file " + path + ": " + e.getMessage());
        }
        return parse(text, path.toString());
    }

    /** Parses and checks topology JSON text; {@code source} names it in errors. */
    public static TopologyFile parse(String text, String source) {
        Map<String, Object> root = object(JsonReader.parse(text, source), source, "the document");
        for (String key : root.keySet()) {
            if (!TOP_LEVEL.contains(key)) {
                throw new IllegalArgumentException(source + ": unknown top-level field '" + key + "'");
            }
        }
        if (!"pygym-topology".equals(root.get("format"))) {
            throw new IllegalArgumentException(source + ": format must be \"pygym-topology\", got " + root.get("format"));
        }
        if (!Double.valueOf(1).equals(root.get("version"))) {
            throw new IllegalArgumentException(source + ": unsupported version " + root.get("version")
                    + " (this simulator reads version 1)");
        }
        List<ComputeNode> nodes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<Object> computeNodes = array(root.get("compute_nodes"), source, "compute_nodes");
        for (int i = 0; i < computeNodes.size(); i++) {
            String where = source + ": compute_nodes[" + i + "]";
            Map<String, Object> n = object(computeNodes.get(i), source, "compute_nodes[" + i + "]");
            String name = string(n.get("name"), where + ".name");
            where += " (" + name + ")";
            if (!names.add(name)) {
                throw new IllegalArgumentException(where + ": duplicate name '" + name + "'");
            }
            double cores = number(n.get("cores"), where + ".cores");
            if (cores < 1 || cores != Math.rint(cores)) {
                throw new IllegalArgumentException(where + ": cores must be an integer >= 1, got " + cores);
            }
            double hz = positive(n.get("frequency_hz"), where + ".frequency_hz");
            double memory = positive(n.get("memory_bytes"), where + ".memory_bytes");
            Object agent = n.get("agent");
            if (!(agent instanceof Boolean)) {
                throw new IllegalArgumentException(where + ": agent must be true or false, got " + agent);
            }
            double x = Double.NaN;
            double y = Double.NaN;
            if (n.get("position_m") != null) {
                List<Object> p = array(n.get("position_m"), source, where + ".position_m");
                if (p.size() != 2) {
                    throw new IllegalArgumentException(where + ": position_m must be [x, y]");
                }
                x = number(p.get(0), where + ".position_m[0]");
                y = number(p.get(1), where + ".position_m[1]");
            }
            nodes.add(new ComputeNode(name, string(n.get("type"), where + ".type"),
                    string(n.get("role"), where + ".role"), (Boolean) agent, (int) cores, hz, memory, x, y, false));
        }
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException(source + ": compute_nodes is empty");
        }
        for (Object s : array(root.get("switches"), source, "switches")) {
            String name = string(object(s, source, "a switch").get("name"), source + ": switch name");
            if (!names.add(name)) {
                throw new IllegalArgumentException(source + ": switch '" + name
                        + "': duplicate name (names are unique across compute nodes and switches)");
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
            String where = source + ": links[" + i + "] (" + a + " - " + b + ")";
            for (String end : List.of(a, b)) {
                if (!names.contains(end)) {
                    throw new IllegalArgumentException(where + ": unknown node '" + end + "'");
                }
            }
            if (a.equals(b)) {
                throw new IllegalArgumentException(where + ": a link needs two different endpoints");
            }
            positive(l.get("bandwidth_bps"), where + ".bandwidth_bps");
            double latency = number(l.get("latency_s"), where + ".latency_s");
            if (latency < 0) {
                throw new IllegalArgumentException(where + ": latency_s must be >= 0, got " + latency);
            }
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
                throw new IllegalArgumentException(source + ": compute node " + n.name()
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
                throw new IllegalArgumentException(source + ": routes.nodes[" + i + "] is " + routeNodes.get(i)
                        + ", expected " + nodes.get(i).name() + " (compute_nodes order)");
            }
        }
        double[][] latency = matrix(routes.get("latency_s"), n, source, "routes.latency_s");
        double[][] bottleneck = matrix(routes.get("bottleneck_bps"), n, source, "routes.bottleneck_bps");
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                String where = source + ": route " + nodes.get(i).name() + " -> " + nodes.get(j).name();
                if (i == j) {
                    if (latency[i][j] != 0) {
                        throw new IllegalArgumentException(where + ": latency_s on the diagonal must be 0");
                    }
                    continue;
                }
                if (Double.isNaN(latency[i][j]) != Double.isNaN(bottleneck[i][j])) {
                    throw new IllegalArgumentException(where + ": latency_s and bottleneck_bps must both be null "
                            + "(unreachable) or both be numbers");
                }
                if (latency[i][j] < 0 || bottleneck[i][j] <= 0) {
                    throw new IllegalArgumentException(where + ": latency_s must be >= 0 and bottleneck_bps > 0");
                }
            }
        }
        return new TopologyFile(source, routing, List.copyOf(nodes), latency, bottleneck);
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
                m[i][j] = row.get(j) == null ? Double.NaN : number(row.get(j), source + ": " + what + "[" + i + "][" + j + "]");
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
            throw new IllegalArgumentException(what + " must be a non-empty string, got " + value);
        }
        return s;
    }

    private static double number(Object value, String what) {
        if (!(value instanceof Double d) || !Double.isFinite(d)) {
            throw new IllegalArgumentException(what + " must be a finite number, got " + value);
        }
        return d;
    }

    private static double positive(Object value, String what) {
        double d = number(value, what);
        if (d <= 0) {
            throw new IllegalArgumentException(what + " must be > 0, got " + d);
        }
        return d;
    }
}
