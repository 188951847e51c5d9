package edgesim.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgesim.config.ConfigException;
import edgesim.protocol.TaskLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadReplayTest {
    private static final String HEAD = "# pygym-workload 1\n"
            + "# units: arrival_s=s cycles=cycle input_bytes=byte output_bytes=byte deadline_s=s\n"
            + "arrival_s,source,task_id,cycles,input_bytes,output_bytes,deadline_s,depends_on\n";
    // Lines 4..8: c needs a and b (which run on another node); d cannot meet its deadline; e needs d.
    private static final String DAG = HEAD
            + "0.000000,node_0,a,1000000000,1000,1000,,\n"
            + "0.000000,node_1,b,500000000,1000,1000,,\n"
            + "0.100000,node_0,c,100000000,1000,1000,,a;b\n"
            + "0.200000,node_2,d,5000000000,1000,1000,0.300000,\n"
            + "0.300000,node_2,e,100000000,1000,1000,,d\n";

    private static Scenario scenario(Path file) {
        Map<String, String> o = new HashMap<>(Map.of("nodes", "3", "agents", "3", "arrival_rate_hz", "0",
                "workload", file.toString(), "episode_s", "30"));
        return new ScenarioCatalog().create(OffloadNeighbour.ENV_ID, o);
    }

    @Test
    void tasksStartOnlyAfterTheirDependenciesFinish(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("dag.csv");
        Files.writeString(file, DAG);
        Scenario s = scenario(file);
        s.reset(7);
        int fields = TaskLog.Record.values().length;
        int metrics = s.spec().metrics().size();
        Map<Integer, double[]> finished = new HashMap<>();
        double[] drops = new double[3];
        int steps = 0;
        while (true) {
            for (int r = 0; r < s.output().taskRecordCount; r++) {
                double[] rec = java.util.Arrays.copyOfRange(s.output().taskRecords, r * fields, (r + 1) * fields);
                finished.put((int) rec[8], rec);
            }
            for (int a = 0; a < 3; a++) {
                drops[0] += s.output().metrics[a * metrics + 8];
                drops[1] += s.output().metrics[a * metrics + 10];
                drops[2] += s.output().metrics[a * metrics];
            }
            if (s.output().truncated) {
                break;
            }
            s.step(new int[3]);
            steps++;
        }
        assertTrue(steps < 300, "the replay ends the episode when the file is done, after " + steps + " steps");
        assertEquals(3, finished.size(), "a, b and c complete");
        double[] c = finished.get(6);
        double aDone = finished.get(4)[11];
        double bDone = finished.get(5)[11];
        assertTrue(c[10] >= Math.max(aDone, bDone), "c started at " + c[10] + " before a (" + aDone
                + ") and b (" + bDone + ") finished");
        assertTrue(c[9] == 0.1 && c[10] > 0.1);
        assertEquals(1, finished.get(5)[0]);
        assertEquals(1, drops[0], "d misses its deadline");
        assertEquals(1, drops[1], "e is dropped with d");
        assertEquals(5, drops[2], "five tasks arrived");
    }

    @Test
    void badFilesFailAtCreateNamingLineAndColumn(@TempDir Path dir) throws IOException {
        Path unknown = dir.resolve("unknown.csv");
        Files.writeString(unknown, HEAD + "0.000000,node_0,a,10,0,0,,\n1.000000,node_9,b,10,0,0,,\n");
        ConfigException e = assertThrows(ConfigException.class, () -> scenario(unknown));
        assertTrue(e.getMessage().endsWith(unknown + ":5: column 2 (source): no node named 'node_9' in this "
                + "scenario (the first unknown source)"), e.getMessage());
        Path badNumber = dir.resolve("bad.csv");
        Files.writeString(badNumber, HEAD + "0.000000,node_0,a,12.5,0,0,,\n");
        ConfigException n = assertThrows(ConfigException.class, () -> scenario(badNumber));
        assertTrue(n.getMessage().contains(":4: column 4 (cycles): '12.5' is not a non-negative integer"),
                n.getMessage());
        Path forward = dir.resolve("forward.csv");
        Files.writeString(forward, HEAD + "0.000000,node_0,a,10,0,0,,b\n0.000000,node_0,b,10,0,0,,\n");
        ConfigException f = assertThrows(ConfigException.class, () -> scenario(forward));
        assertTrue(f.getMessage().contains(":4: column 8 (depends_on): 'b' is not a task on an earlier line"),
                f.getMessage());
    }
}
