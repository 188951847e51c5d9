package edgesim.scenario.mec;

import static edgesim.scenario.Outputs.metric;
import static edgesim.scenario.Outputs.record;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgesim.bridge.Frames;
import edgesim.config.ConfigException;
import edgesim.engine.Rng;
import edgesim.scenario.ActionException;
import edgesim.scenario.ResetNeeded;
import edgesim.scenario.Scenario;
import edgesim.scenario.ScenarioCatalog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OffloadMecTest {
    private static final ScenarioCatalog CATALOG = new ScenarioCatalog();
    private static final double EPS = 1e-9;

    /** One device, one server at the centre of the cell, fixed task size 0.5 MB (5e8 cycles), 10 GHz server. */
    private static Scenario single() {
        Map<String, String> o = new HashMap<>();
        o.put("n_devices", "1");
        o.put("n_servers", "1");
        o.put("task_bytes_min", "0.5e6");
        o.put("task_bytes_max", "0.5e6");
        o.put("server_hz_min", "10e9");
        o.put("server_hz_max", "10e9");
        return CATALOG.create(OffloadMec.ENV_ID, o);
    }

    @Test
    void singleDeviceLatencyAndEnergyMatchTheModels() {
        Scenario s = single();
        s.reset(4);
        // All local: 5e8 cycles at 1 GHz = 0.5 s; kappa hz^2 cycles = 1e-27 * 1e18 * 5e8 = 0.5 J.
        s.stepContinuous(new float[] {0f, -1f});
        assertEquals(0, metric(s, 0, "offload_ratio"));
        assertEquals(1, metric(s, 0, "completed"));
        assertEquals(0.5, metric(s, 0, "latency_sum_s"), EPS);
        assertEquals(0.5, metric(s, 0, "energy_local_j"), EPS);
        assertEquals(0, metric(s, 0, "energy_tx_j"));
        assertEquals(0, metric(s, 0, "missed"));
        // All offloaded: upload 4e6 bits at the channel rate, then 5e8 cycles at 10 GHz = 0.05 s.
        s.stepContinuous(new float[] {1f, 1f});
        double rate = metric(s, 0, "uplink_bps");
        double upload = 4e6 / rate;
        assertEquals(1, metric(s, 0, "offload_ratio"));
        assertEquals(upload + 0.05, metric(s, 0, "latency_sum_s"), EPS);
        assertEquals(upload, metric(s, 0, "upload_sum_s"), EPS);
        assertEquals(0.1 * upload, metric(s, 0, "energy_tx_j"), 1e-12);
        assertEquals(1e-29 * 1e20 * 5e8, metric(s, 0, "energy_edge_j"), 1e-12);
        assertEquals(0, metric(s, 0, "energy_local_j"));
        // Half and half: max(0.25 s local, upload / 2 + 0.025 s edge).
        s.stepContinuous(new float[] {0f, 0f});
        assertEquals(Math.max(0.25, upload / 2 + 0.025), metric(s, 0, "latency_sum_s"), EPS);
        assertEquals(1, s.output().taskRecordCount);
        assertEquals(0.25, record(s, 0, "local_latency_s"), EPS);
        assertEquals(upload / 2 + 0.025, record(s, 0, "edge_latency_s"), EPS);
        assertEquals(2.0, record(s, 0, "created_s"), EPS);
    }

    @Test
    void aLateTaskIsCountedWhenItFinishesAndTheLastFrameDrainsEverything() {
        Map<String, String> o = new HashMap<>(Map.of("n_devices", "1", "n_servers", "1", "task_bytes_min", "2e6",
                "task_bytes_max", "2e6", "episode_steps", "3"));
        Scenario s = CATALOG.create(OffloadMec.ENV_ID, o);
        s.reset(1);
        float[] local = {0f, -1f};
        s.stepContinuous(local); // 2 s of local work: not done within the epoch
        assertEquals(0, metric(s, 0, "completed"));
        assertEquals(1.0, s.output().observation[4], 1e-6); // local_backlog_s: 1 s left
        s.stepContinuous(local);
        assertEquals(0, metric(s, 0, "completed")); // the first finishes at exactly t = 2.0, the next epoch's start
        s.stepContinuous(local);
        // The last decision: the simulation drains. Three tasks of 2 s each, FIFO: done at 2, 4, 6.
        assertTrue(s.output().truncated);
        assertFalse(s.output().terminated);
        assertEquals(3, metric(s, 0, "completed"));
        assertEquals(3, metric(s, 0, "missed")); // latencies 2, 3, 4 s all exceed 1.5 s
        assertEquals(2 + 3 + 4, metric(s, 0, "latency_sum_s"), EPS);
        assertTrue(s.output().time_s >= 6.0);
        assertThrows(ResetNeeded.class, () -> s.stepContinuous(local));
    }

    @Test
    void serversQueueUploadsFirstInFirstOut() {
        Map<String, String> o = new HashMap<>(Map.of("n_devices", "2", "n_servers", "1", "task_bytes_min", "1e6",
                "task_bytes_max", "1e6", "server_hz_min", "1e9", "server_hz_max", "1e9", "task_deadline_s", "10"));
        Scenario s = CATALOG.create(OffloadMec.ENV_ID, o);
        s.reset(2);
        s.stepContinuous(new float[] {0f, 1f, 0f, 1f}); // both offload 1e9 cycles to one 1 GHz server
        int found = 0;
        double[] upload = new double[2];
        double[] edge = new double[2];
        for (int step = 0; step < 4 && found < 2; step++) {
            for (int r = 0; r < s.output().taskRecordCount; r++) {
                if (record(s, r, "offload_ratio") == 1.0) {
                    int d = (int) record(s, r, "device");
                    upload[d] = record(s, r, "upload_s"); // both uploads start at t = 0, when created
                    edge[d] = record(s, r, "edge_latency_s");
                    found++;
                }
            }
            s.stepContinuous(new float[] {0f, -1f, 0f, -1f});
        }
        assertEquals(2, found);
        // 1 s of service each; the second to arrive waits for the first.
        int first = upload[0] < upload[1] ? 0 : 1;
        int second = 1 - first;
        assertEquals(upload[first] + 1.0, edge[first], EPS);
        assertEquals(Math.max(upload[second], upload[first] + 1.0) + 1.0, edge[second], EPS);
    }

    @Test
    void everyTaskCompletesExactlyOnceAndEpisodesAreReproducible() {
        for (String discipline : List.of("fifo", "ps")) {
            Map<String, String> o = Map.of("n_devices", "5", "server_discipline", discipline);
            Scenario a = CATALOG.create(OffloadMec.ENV_ID, o);
            Scenario b = CATALOG.create(OffloadMec.ENV_ID, o);
            Frames frames = new Frames(a.spec());
            int compared = 0;
            for (long seed = 0; seed < 20; seed++) {
                List<byte[]> first = episode(a, frames, seed);
                List<byte[]> second = episode(b, frames, seed);
                for (int i = 0; i < first.size(); i++) {
                    assertArrayEquals(first.get(i), second.get(i), discipline + " seed " + seed + " frame " + i);
                    compared++;
                }
                double completed = 0;
                double records = 0;
                a.reset(seed);
                Rng rng = new Rng(seed);
                while (!a.output().truncated) {
                    a.stepContinuous(actions(rng, 5));
                    for (int m = 0; m < 5; m++) {
                        completed += metric(a, m, "completed");
                    }
                    records += a.output().taskRecordCount;
                    for (int r = 0; r < a.output().taskRecordCount; r++) {
                        double latency = record(a, r, "latency_s");
                        assertEquals(Math.max(record(a, r, "local_latency_s"), record(a, r, "edge_latency_s")),
                                latency, EPS);
                        assertTrue(latency > 0);
                    }
                }
                assertEquals(50, completed, "10 steps x 5 devices, each task once");
                assertEquals(50, records);
            }
            assertEquals(20 * 11, compared);
        }
    }

    private static float[] actions(Rng rng, int devices) {
        float[] a = new float[2 * devices];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rng.uniform(-1, 1);
        }
        return a;
    }

    private static List<byte[]> episode(Scenario s, Frames frames, long seed) {
        Rng rng = new Rng(seed);
        List<byte[]> out = new ArrayList<>();
        s.reset(seed);
        out.add(frames.encode(s.output()));
        while (!s.output().truncated) {
            s.stepContinuous(actions(rng, s.spec().agents().size()));
            out.add(frames.encode(s.output()));
        }
        return out;
    }

    @Test
    void badConfigurationAndActionsGiveNamedErrors() {
        ConfigException discipline = assertThrows(ConfigException.class,
                () -> CATALOG.create(OffloadMec.ENV_ID, Map.of("server_discipline", "lifo")));
        assertTrue(discipline.getMessage().contains("expected one of fifo, ps"), discipline.getMessage());
        ConfigException bytes = assertThrows(ConfigException.class,
                () -> CATALOG.create(OffloadMec.ENV_ID, Map.of("task_bytes_max", "1")));
        assertTrue(bytes.getMessage().contains("task_bytes_max >= task_bytes_min"), bytes.getMessage());
        ConfigException servers = assertThrows(ConfigException.class,
                () -> CATALOG.create(OffloadMec.ENV_ID, Map.of("n_servers", "0")));
        assertTrue(servers.getMessage().startsWith("env.servers = n_servers (from 'n_servers' = 0"),
                servers.getMessage());
        Scenario s = CATALOG.create(OffloadMec.ENV_ID, Map.of());
        s.reset(1);
        ActionException inf = assertThrows(ActionException.class,
                () -> s.stepContinuous(new float[] {0, 0, 0, Float.POSITIVE_INFINITY, 0, 0}));
        assertTrue(inf.getMessage().startsWith("action for md_1 has offload_ratio = Infinity"), inf.getMessage());
        s.stepContinuous(new float[] {9, 9, -9, -9, 0, 0}); // clipped, not rejected
        assertEquals(1, metric(s, 0, "server"));
        assertEquals(1.0, metric(s, 0, "offload_ratio"));
        assertEquals(0, metric(s, 1, "server"));
        assertEquals(0.0, metric(s, 1, "offload_ratio"));
    }
}
