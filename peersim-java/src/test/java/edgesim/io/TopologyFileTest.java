package edgesim.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

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
        assertTrue(bw.getMessage().contains("links[1] (s - b).bandwidth_bps must be > 0"), bw.getMessage());
        IllegalArgumentException order = assertThrows(IllegalArgumentException.class,
                () -> TopologyFile.parse(doc(NODES, LINKS, ROUTES.replace("[\"a\", \"b\"]", "[\"b\", \"a\"]")), "t"));
        assertTrue(order.getMessage().contains("routes.nodes[0] is b, expected a"), order.getMessage());
        IllegalArgumentException version = assertThrows(IllegalArgumentException.class,
                () -> TopologyFile.parse(doc(NODES, LINKS, ROUTES).replace("\"version\": 1", "\"version\": 2"), "t"));
        assertTrue(version.getMessage().contains("unsupported version 2.0"), version.getMessage());
    }
}
