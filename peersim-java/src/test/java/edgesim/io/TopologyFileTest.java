package edgesim.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopologyFileTest {
    private static final String NODES = "\"compute_nodes\": ["
            + "{\"name\": \"a\", \"type\": \"rpi4\", \"role\": \"device\", \"agent\": true, \"cores\": 4,"
            + " \"frequency_hz\": 1.5e9, \"memory_bytes\": 4e9, \"position_m\": [0, 0]},"
            + "{\"name\": \"b\", \"type\": \"nuc\", \"role\": \"edge\", \"agent\": false, \"cores\": 8,"
            + " \"frequency_hz\": 2.2e9, \"memory_bytes\": 1.6e10, \"position_m\": null}],"
            + "\"switches\": [{\"name\": \"s\", \"kind\": \"lan\"}],";
    private static final String LINKS = "\"links\": ["
            + "{\"source\": \"a\", \"target\": \"s\", \"bandwidth_bps\": 1e9, \"latency_s\": 0.001},"
            + "{\"source\": \"s\", \"target\": \"b\", \"bandwidth_bps\": 1e8, \"latency_s\": 0.002}],";
    private static final String ROUTES = "\"routes\": {\"routing\": \"hops\", \"nodes\": [\"a\", \"b\"],"
            + " \"latency_s\": [[0, 0.003], [0.003, 0]], \"bottleneck_bps\": [[null, 1e8], [1e8, null]],"
            + " \"hops\": [[0, 2], [2, 0]]}";
    private static final String DISTRIBUTIONS = "\"latency_distributions\": {\"lan\": {\"family\": \"lognormal\","
            + " \"s\": 0.25, \"loc_s\": 0.00035, \"scale_s\": 0.00016}}, ";

    private static String doc(String nodes, String links, String routes) {
        return "{\"format\": \"pygym-topology\", \"version\": 1, " + nodes + links + routes + "}";
    }

    @Test
    void readsNodesAndRoutes() {
        TopologyFile t = TopologyFile.parse(doc(NODES, LINKS, ROUTES), "t.json");
        assertEquals(2, t.nodes.size());
        assertEquals("b", t.nodes.get(1).name());
        assertEquals(8, t.nodes.get(1).cores());
        assertTrue(Double.isNaN(t.nodes.get(1).x_m()));
        assertEquals(0.003, t.latency_s[0][1]);
        assertEquals(1e8, t.bottleneck_bps[1][0]);
        assertEquals("hops", t.routing);
    }

    @Test
    void rejectsBrokenFilesNamingTheElementAndRule() {
        String ghost = LINKS.replace("\"target\": \"b\"", "\"target\": \"ghost\"");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TopologyFile.parse(doc(NODES, ghost, ROUTES), "t.json"));
        assertEquals("t.json: links[1] (s - ghost): unknown node 'ghost'", e.getMessage());
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class,
                () -> TopologyFile.parse(doc(NODES.replace("\"name\": \"b\"", "\"name\": \"a\""), LINKS, ROUTES), "t"));
        assertTrue(dup.getMessage().contains("compute_nodes[1] (a): duplicate name 'a'"), dup.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> TopologyFile.parse(doc(NODES, LINKS, "\"routes\": null"), "t.json"));
        assertTrue(none.getMessage().contains("has no route matrices"), none.getMessage());
        IllegalArgumentException bw = assertThrows(IllegalArgumentException.class,
                () -> TopologyFile.parse(doc(NODES, LINKS.replace("1e8", "0"), ROUTES), "t.json"));
        assertEquals("t.json: links[1] (s - b): bandwidth_bps must be a number in [1, 1e15], got 0", bw.getMessage());
        IllegalArgumentException order = assertThrows(IllegalArgumentException.class,
                () -> TopologyFile.parse(doc(NODES, LINKS, ROUTES.replace("[\"a\", \"b\"]", "[\"b\", \"a\"]")), "t"));
        assertTrue(order.getMessage().contains("routes.nodes[0] is b, expected a"), order.getMessage());
        IllegalArgumentException version = assertThrows(IllegalArgumentException.class,
                () -> TopologyFile.parse(doc(NODES, LINKS, ROUTES).replace("\"version\": 1", "\"version\": 2"), "t"));
        assertTrue(version.getMessage().contains("unsupported version 2.0"), version.getMessage());
    }

    private static String full() {
        return doc(DISTRIBUTIONS + NODES.replace("\"kind\": \"lan\"", "\"kind\": \"shared\", \"bandwidth_bps\": 5e8"),
                LINKS, ROUTES);
    }

    @Test
    void everyNumberHasARangeAndAnErrorNamingTheElementAndField() {
        TopologyFile.parse(full(), "t.json");
        // text to replace in the full document -> the error it must give
        Map<String[], String> cases = new LinkedHashMap<>();
        cases.put(new String[] {"\"cores\": 4", "\"cores\": 2147483648"},
                "t.json: compute_nodes[0] (a): cores must be an integer in [1, 4096], got 2.147483648e9");
        cases.put(new String[] {"\"cores\": 4", "\"cores\": 1e30"},
                "t.json: compute_nodes[0] (a): cores must be an integer in [1, 4096], got 1e30");
        cases.put(new String[] {"\"cores\": 4", "\"cores\": 2.5"},
                "t.json: compute_nodes[0] (a): cores must be an integer in [1, 4096], got 2.5");
        cases.put(new String[] {"\"frequency_hz\": 1.5e9", "\"frequency_hz\": 1e-300"},
                "t.json: compute_nodes[0] (a): frequency_hz must be a number in [1000000, 1e12], got 1e-300");
        cases.put(new String[] {"\"frequency_hz\": 2.2e9", "\"frequency_hz\": 1e400"},
                "t.json: compute_nodes[1] (b): frequency_hz must be a number in [1000000, 1e12], got Infinity");
        cases.put(new String[] {"\"memory_bytes\": 4e9", "\"memory_bytes\": 1e300"},
                "t.json: compute_nodes[0] (a): memory_bytes must be an integer in [1, 1e15], got 1e300");
        cases.put(new String[] {"\"position_m\": [0, 0]", "\"position_m\": [0, -1e300]"},
                "t.json: compute_nodes[0] (a): position_m[1] must be a number in [-1e8, 1e8], got -1e300");
        cases.put(new String[] {"\"bandwidth_bps\": 5e8", "\"bandwidth_bps\": 1e-300"},
                "t.json: switches[0] (s): bandwidth_bps must be a number in [1, 1e15], got 1e-300");
        cases.put(new String[] {"\"bandwidth_bps\": 1e9", "\"bandwidth_bps\": 1e30"},
                "t.json: links[0] (a - s): bandwidth_bps must be a number in [1, 1e15], got 1e30");
        cases.put(new String[] {"\"latency_s\": 0.001", "\"latency_s\": 1e9"},
                "t.json: links[0] (a - s): latency_s must be a number in [0, 3600], got 1e9");
        cases.put(new String[] {"\"s\": 0.25", "\"s\": 1e5"},
                "t.json: latency_distributions['lan']: s must be a number in (0, 10], got 100000");
        cases.put(new String[] {"\"loc_s\": 0.00035", "\"loc_s\": -1"},
                "t.json: latency_distributions['lan']: loc_s must be a number in [0, 3600], got -1");
        cases.put(new String[] {"\"scale_s\": 0.00016", "\"scale_s\": 0"},
                "t.json: latency_distributions['lan']: scale_s must be a number in (0, 3600], got 0");
        cases.put(new String[] {"\"hops\": [[0, 2], [2, 0]]", "\"hops\": [[0, 2], [2e9, 0]]"},
                "t.json: route b -> a: hops must be an integer in [1, 2], got 2e9");
        cases.put(new String[] {"[[0, 0.003], [0.003, 0]]", "[[0, 0.003], [1e300, 0]]"},
                "t.json: route b -> a: latency_s must be a number in [0, 7200], got 1e300");
        cases.put(new String[] {"[[null, 1e8], [1e8, null]]", "[[null, 1e8], [1e-300, null]]"},
                "t.json: route b -> a: bottleneck_bps must be a number in [1, 1e15], got 1e-300");
        cases.put(new String[] {"[[null, 1e8], [1e8, null]]", "[[null, 1e8], [null, null]]"},
                "t.json: route b -> a: latency_s null, bottleneck_bps null and hops -1 go together (unreachable), "
                        + "else all are numbers");
        int checked = 0;
        for (Map.Entry<String[], String> c : cases.entrySet()) {
            String text = full();
            assertTrue(text.contains(c.getKey()[0]), c.getKey()[0]);
            String broken = text.replace(c.getKey()[0], c.getKey()[1]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> TopologyFile.parse(broken, "t.json"), c.getValue());
            assertEquals(c.getValue(), e.getMessage());
            checked++;
        }
        assertEquals(17, checked);
    }

    @Test
    void deepNestingIsANamedErrorNotAStackOverflow() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TopologyFile.parse(deep, "t.json"));
        assertEquals("t.json line 1 column 65: arrays and objects nested deeper than 64 levels", e.getMessage());
        String provenance = "{\"a\": ".repeat(70) + "1" + "}".repeat(70);
        String withProvenance = full().replace("\"version\": 1,", "\"version\": 1, \"provenance\": " + provenance + ",");
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class,
                () -> TopologyFile.parse(withProvenance, "t.json"));
        assertTrue(p.getMessage().startsWith("t.json line 1 column ")
                && p.getMessage().endsWith(": arrays and objects nested deeper than 64 levels"), p.getMessage());
        String shallowEnough = "{\"a\": ".repeat(62) + "1" + "}".repeat(62);
        TopologyFile.parse(full().replace("\"version\": 1,", "\"version\": 1, \"provenance\": " + shallowEnough + ","),
                "t.json");
    }

    @Test
    void unreadableFilesSayWhy(@TempDir Path dir) throws IOException {
        Path missing = dir.resolve("missing.json");
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> TopologyFile.read(missing));
        assertEquals("cannot read topology file " + missing + ": no such file", none.getMessage());
        Path binary = dir.resolve("binary.json");
        Files.write(binary, new byte[] {'{', ' ', (byte) 0xff, (byte) 0xfe, 0, 1});
        IllegalArgumentException bytes = assertThrows(IllegalArgumentException.class, () -> TopologyFile.read(binary));
        assertEquals("cannot read topology file " + binary + ": not UTF-8 text (byte 0xff at offset 2 starts no "
                + "UTF-8 character; is it a binary file?)", bytes.getMessage());
        IllegalArgumentException folder = assertThrows(IllegalArgumentException.class, () -> TopologyFile.read(dir));
        assertEquals("cannot read topology file " + dir + ": Is a directory", folder.getMessage());
    }
}
