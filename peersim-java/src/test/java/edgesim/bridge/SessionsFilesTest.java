package edgesim.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgesim.io.WorkloadFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A workload sent by content over the wire, used by a session, and deleted when the session closes. */
class SessionsFilesTest {
    static final String WORKLOAD = WorkloadFile.VERSION_LINE + "\n" + WorkloadFile.UNITS_LINE + "\n"
            + WorkloadFile.HEADER_LINE + "\n0.050000,node_0,a,100000000,1000,100,,\n0.070000,node_1,b,100000000,1000,100,,\n";

    @TempDir
    Path tmp;

    @Test
    void aWorkloadByContentServesItsSessionsAndGoesWithThem() throws Exception {
        byte[] data = WORKLOAD.getBytes(StandardCharsets.UTF_8);
        String sha = ContentStoreTest.sha256(data);
        String overrides = "snodes 4\\nagents 2\\nepisode_s 1\\nworkload content:" + sha + "\n";
        try (GatewayFixture server = new GatewayFixture(Limits.SERVED);
                GatewayFixture.Raw c = server.connect(GatewayFixture.TOKEN)) {
            assertEquals("!ys+", c.call("hello", "sclient-0123456789abcdef\n"));
            String before = c.call("create", "soffload-neighbour-v0\n", "i1\n", "i1\n", overrides);
            assertTrue(before.startsWith("!ys-config:workload = content:" + sha + ": this server keeps no file"), before);
            assertEquals("!ys+send", c.call("fileOffer", "s" + sha + "\n", "i" + data.length + "\n"));
            String half = Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(data, 50));
            String rest = Base64.getEncoder().encodeToString(java.util.Arrays.copyOfRange(data, 50, data.length));
            assertEquals("!ys+50", c.call("fileChunk", "s" + sha + "\n", "L0\n", "j" + half + "\n"));
            assertEquals("!ys+" + data.length, c.call("fileChunk", "s" + sha + "\n", "i50\n", "j" + rest + "\n"));
            assertEquals("!ys+", c.call("fileEnd", "s" + sha + "\n"));
            String reply = c.call("create", "soffload-neighbour-v0\n", "i2\n", "i1\n", overrides);
            assertTrue(reply.startsWith("!ys+"), reply);
            assertEquals(1, server.store.keptFiles());
            assertTrue(c.call("describe", "i" + reply.substring(4) + "\n").contains("content:" + sha));
            assertEquals("!ys+", c.call("close", "i" + reply.substring(4) + "\n"));
            assertEquals(0, server.store.keptFiles(), "no session uses it any more");
            assertEquals(0, server.store.usedBytes());
        }
    }

    @Test
    void serverPathsOnlyInsideTheDataFolder() throws IOException {
        Path data = Files.createDirectory(tmp.resolve("data")).toRealPath();
        Files.writeString(data.resolve("w.csv"), WORKLOAD);
        Path outside = Files.writeString(tmp.resolve("w.csv"), WORKLOAD);
        try (GatewayFixture server = new GatewayFixture(Limits.SERVED, data);
                GatewayFixture.Raw c = server.connect(GatewayFixture.TOKEN)) {
            String ok = c.call("create", "soffload-neighbour-v0\n", "i1\n", "i1\n",
                    "snodes 4\\nagents 2\\nepisode_s 1\\nworkload server:/w.csv\n".replace("/w.csv", data + "/w.csv"));
            assertTrue(ok.startsWith("!ys+"), ok);
            for (String value : new String[] {outside.toString(), "server:" + outside}) {
                String refused = c.call("create", "soffload-neighbour-v0\n", "i1\n", "i1\n",
                        "snodes 4\\nagents 2\\nepisode_s 1\\nworkload " + value + "\n");
                assertTrue(refused.startsWith("!ys-config:init.workload.workload = workload (from 'workload' = "
                        + value + ", override): "), refused);
            }
            assertEquals("!yi1", c.call("sessionCount"));
        }
    }
}
