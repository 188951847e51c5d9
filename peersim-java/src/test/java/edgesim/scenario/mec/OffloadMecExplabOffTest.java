package edgesim.scenario.mec;

import static edgesim.scenario.Outputs.metric;
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

/**
 * The compatible mode against numbers worked by hand from the ExplabOff release's rules (report sections
 * 1.7-1.9): 2 servers with capacities 6 and 12, devices 0/1/2 holding classes 7/6/3 (no shuffle) with sizes
 * exactly their means (std 0), upload rows [0.3011, 0.303], [0.3021, 0.302], [0.3031, 0.301], switch rows
 * [0.101, 0.102], [0.103, 0.104], [0.105, 0.106], deadlines 1.808, 1.806, 1.805.
 */
class OffloadMecExplabOffTest {
    private static final ScenarioCatalog CATALOG = new ScenarioCatalog();
    private static final Map<String, String> SCRIPTED = Map.of("task_size_std", "0", "shuffle_classes", "false");
    private static final double EPS = 1e-12;
    /** Raw actions that decode exactly: server 0 / 1 of 2 are bins centred on -0.5 / 0.5; p = (a1 + 1) / 2. */
    private static final float ES0 = -0.5f;
    private static final float ES1 = 0.5f;

    private static Scenario scripted() {
        return CATALOG.create(OffloadMecExplabOff.ENV_ID, SCRIPTED);
    }

    private static float a1(double p) {
        return (float) (2 * p - 1);
    }

    private static double obs(Scenario s, int device, String name) {
        int dim = s.spec().observation().size();
        int index = s.spec().observation().stream().map(f -> f.name()).toList().indexOf(name);
        return s.output().observation[device * dim + index];
    }

    @Test
    void scriptedEpisodeMatchesTheHandComputation() {
        Scenario s = scripted();
        s.reset(1);
        assertEquals(16, s.spec().observation().size());
        assertEquals(48, s.spec().state().size());
        // Normalised as released: 6/25, 12/25, 1/3, 7/20, 1.808/5, sizes/20, own class, uploads/0.5, raw rest.
        float[] expected0 = {0.24f, 0.48f, (float) (1 / 3.0), 0.35f, (float) (1.808 / 5), 0.35f, 0.3f, 0.15f, 1, 0, 0,
            (float) (0.3011 / 0.5), (float) (0.303 / 0.5), 0, 0, -1};
        float[] row0 = new float[16];
        System.arraycopy(s.output().observation, 0, row0, 0, 16);
        assertArrayEquals(expected0, row0);

        // Step 1: everyone to server 1 with p = 0.875, 0.75, 0.5. Server 1 orders by upload time: 0.301 (md 2),
        // 0.302 (md 1), 0.303 (md 0), the reverse of device order. First visits: every switch time charged.
        float[] step = {ES1, a1(0.875), ES1, a1(0.75), ES1, a1(0.5)};
        s.stepContinuous(step);
        double w2 = 0.106 + 3 * 0.5 / 12; // 0.231
        double w1 = 0.104 + 6 * 0.75 / 12; // 0.479
        double w0 = 0.102 + 7 * 0.875 / 12; // 0.612416...
        assertEquals(0, metric(s, 2, "queue_position"));
        assertEquals(1, metric(s, 1, "queue_position"));
        assertEquals(2, metric(s, 0, "queue_position"));
        assertEquals(0.301 + w2, metric(s, 2, "edge_latency_s"), EPS);
        assertEquals(0.302 + w2 + w1, metric(s, 1, "edge_latency_s"), EPS);
        assertEquals(0.303 + w2 + w1 + w0, metric(s, 0, "edge_latency_s"), EPS);
        assertEquals(1.625416666666667, metric(s, 0, "cost"), EPS); // max(0.875 local, 1.6254 edge)
        assertEquals(1.5, metric(s, 1, "cost"), EPS); // local 6 x 0.25 wins
        assertEquals(1.5, metric(s, 2, "cost"), EPS);
        assertEquals(0.102, metric(s, 0, "switch_s"), EPS);
        double carry1 = w2 + w1 + w0 - 1; // one second of work drained
        assertEquals(0.322416666666667, carry1, EPS);
        assertEquals(carry1, obs(s, 0, "es1_backlog_s"), 1e-7);
        assertEquals(0, obs(s, 0, "es0_backlog_s"));
        assertEquals(1, obs(s, 2, "last_server"));
        assertFalse(s.output().terminated || s.output().truncated);

        // Step 2: same actions. No switch times (seen), the carried backlog is ahead of everyone.
        s.stepContinuous(step);
        assertEquals(0, metric(s, 0, "switch_s"));
        assertEquals(carry1, metric(s, 2, "queue_ahead_s"), EPS);
        assertEquals(0.301 + carry1 + 0.125, metric(s, 2, "edge_latency_s"), EPS);
        double sum2 = carry1 + 0.125 + 0.375 + 7 * 0.875 / 12;
        assertEquals(0.303 + sum2, metric(s, 0, "cost"), EPS); // 1.635833...
        double carry2 = sum2 - 1;
        assertEquals(0.332833333333333, carry2, EPS);

        // Step 3: md 0 moves to server 0: its first visit there costs switch 0.101, work 7 x 0.875 / 6.
        step[0] = ES0;
        s.stepContinuous(step);
        double w0at0 = 0.101 + 7 * 0.875 / 6;
        assertEquals(0.3011 + w0at0, metric(s, 0, "cost"), EPS); // 1.422933...
        assertEquals(0.101, metric(s, 0, "switch_s"), EPS);
        assertEquals(0.301 + carry2 + 0.125, metric(s, 2, "edge_latency_s"), EPS);
        assertEquals(0, metric(s, 0, "server"));
        assertEquals(w0at0 - 1, obs(s, 0, "es0_backlog_s"), 1e-7); // 0.121833...
        assertEquals(0, obs(s, 0, "es1_backlog_s")); // 0.8328 < 1: drained empty

        // Step 4: md 1 keeps only 25 %: local 4.5 > 1.806, a miss; the episode terminates early.
        step[3] = a1(0.25);
        s.stepContinuous(step);
        assertEquals(0.3011 + (w0at0 - 1) + 7 * 0.875 / 6, metric(s, 0, "cost"), EPS); // 1.443766...
        assertEquals(4.5, metric(s, 1, "cost"), EPS);
        assertEquals(1, metric(s, 1, "missed"));
        assertEquals(0, metric(s, 0, "missed"));
        assertEquals(0.302 + 0.125 + 0.125, metric(s, 1, "edge_latency_s"), EPS); // behind md 2 on server 1
        assertEquals(4, s.output().step);
        assertTrue(s.output().terminated);
        assertFalse(s.output().truncated);
        assertThrows(ResetNeeded.class, () -> s.stepContinuous(new float[6]));
    }

    @Test
    void tenStepsWithoutAMissTruncateAndAMissOnTheLastStepTerminates() {
        Scenario s = scripted();
        s.reset(3);
        float[] safe = {ES1, a1(0.875), ES0, a1(0.75), ES1, a1(0.5)};
        int steps = 0;
        while (!s.output().truncated && !s.output().terminated) {
            s.stepContinuous(safe);
            steps++;
        }
        assertEquals(10, steps);
        assertTrue(s.output().truncated);
        assertFalse(s.output().terminated);
        // Steady state of md 0 on server 1 behind md 2 (0.125) with no carry: 0.303 + 0.125 + 0.510416...
        assertEquals(0.303 + 0.125 + 7 * 0.875 / 12, metric(s, 0, "cost"), EPS);

        s.reset(3);
        for (int i = 0; i < 9; i++) {
            s.stepContinuous(safe);
            assertFalse(s.output().terminated || s.output().truncated);
        }
        float[] late = safe.clone();
        late[3] = a1(0.25);
        s.stepContinuous(late);
        assertEquals(10, s.output().step);
        assertTrue(s.output().terminated, "a miss is a terminal event even on the last step");
        assertFalse(s.output().truncated);
    }

    @Test
    void decodingClipsLikeTheRelease() {
        Scenario s = scripted();
        s.reset(1);
        // a0 beyond 1 clips to 0.9999 (server 1), a0 = -7 to server 0; a1 = 5 clips to p = 0.99995,
        // a1 = -1 gives p = 0.00005: both parts always non-zero.
        s.stepContinuous(new float[] {7f, 5f, -7f, -1f, 0f, 0f});
        assertEquals(1, metric(s, 0, "server"));
        assertEquals((0.9999 + 1) / 2, metric(s, 0, "offload_ratio"), EPS);
        assertEquals(0, metric(s, 1, "server"));
        assertEquals((1 - 0.9999) / 2, metric(s, 1, "offload_ratio"), EPS);
        assertEquals(1, metric(s, 2, "server")); // a0 = 0 is the lower edge of server 1's bin
        assertEquals(0.5, metric(s, 2, "offload_ratio"), EPS);
        assertTrue(metric(s, 0, "local_latency_s") > 0);
    }

    @Test
    void theThreeSettingsHaveTheReleasedDimensionsAndTables() {
        int[][] expected = {{2, 3, 16}, {2, 5, 20}, {3, 7, 27}};
        List<String> names = List.of("2x3", "2x5", "3x7");
        for (int i = 0; i < 3; i++) {
            OffloadMecExplabOff byName = (OffloadMecExplabOff) CATALOG.create(OffloadMecExplabOff.ENV_ID,
                    Map.of("setting", names.get(i)));
            OffloadMecExplabOff byCount = (OffloadMecExplabOff) CATALOG.create(OffloadMecExplabOff.ENV_ID,
                    Map.of("n_servers", "" + expected[i][0], "n_devices", "" + expected[i][1]));
            assertEquals(names.get(i), byCount.setting().name());
            assertEquals(expected[i][1], byName.spec().agents().size());
            assertEquals(expected[i][2], byName.spec().observation().size());
            assertEquals(expected[i][1] * expected[i][2], byName.spec().state().size());
        }
        assertEquals("2x3", ((OffloadMecExplabOff) CATALOG.create(OffloadMecExplabOff.ENV_ID, Map.of()))
                .setting().name());
        assertEquals("2x5", ((OffloadMecExplabOff) CATALOG.create(OffloadMecExplabOff.ENV_ID,
                Map.of("n_devices", "5"))).setting().name());
        ExplabOffSetting s37 = ((OffloadMecExplabOff) CATALOG.create(OffloadMecExplabOff.ENV_ID,
                Map.of("n_servers", "3"))).setting();
        assertArrayEquals(new double[] {10, 19, 26}, s37.serverCapacity());
        assertArrayEquals(new double[] {7, 6, 3, 4, 5, 4.5, 5.5}, s37.classSizeMean());
        ExplabOffSetting asRun = ((OffloadMecExplabOff) CATALOG.create(OffloadMecExplabOff.ENV_ID,
                Map.of("setting", "3x7", "server_capacities", "10,19,25"))).setting();
        assertArrayEquals(new double[] {10, 19, 25}, asRun.serverCapacity());
    }

    @Test
    void tiesInUploadTimeGoInDeviceOrder() {
        // In 2x5, devices 1 and 3 share the upload row [0.3021, 0.302]: on server 0 the order is 0, 1, 3.
        Scenario s = CATALOG.create(OffloadMecExplabOff.ENV_ID,
                Map.of("setting", "2x5", "task_size_std", "0", "shuffle_classes", "false"));
        s.reset(1);
        s.stepContinuous(new float[] {ES0, 0.9f, ES0, 0.9f, ES1, 0.9f, ES0, 0.9f, ES1, 0.9f});
        assertEquals(0, metric(s, 0, "queue_position"));
        assertEquals(1, metric(s, 1, "queue_position"));
        assertEquals(2, metric(s, 3, "queue_position"));
        // Server 1: devices 2 and 4 share [.., 0.301]: device order again.
        assertEquals(0, metric(s, 2, "queue_position"));
        assertEquals(1, metric(s, 4, "queue_position"));
    }

    @Test
    void classesAreShuffledFromTheSeedAndSizesFollowTheirClass() {
        Scenario s = CATALOG.create(OffloadMecExplabOff.ENV_ID, Map.of("setting", "3x7"));
        Map<String, Integer> permutations = new HashMap<>();
        int episodes = 200;
        for (int seed = 0; seed < episodes; seed++) {
            s.reset(seed);
            StringBuilder key = new StringBuilder();
            boolean[] seenClass = new boolean[7];
            for (int m = 0; m < 7; m++) {
                int c = (int) metric(s, m, "class_index");
                seenClass[c] = true;
                key.append(c);
                double mean = new double[] {7, 6, 3, 4, 5, 4.5, 5.5}[c];
                assertEquals(mean, metric(s, m, "class_mean"));
                // The raw size is within 6 std of the class mean, the mask marks the class.
                assertTrue(Math.abs(obs(s, m, "task_size") * 20 - mean) < 0.6, "seed " + seed);
                assertEquals(1, obs(s, m, "class" + c + "_own"));
            }
            for (boolean b : seenClass) {
                assertTrue(b, "a permutation");
            }
            permutations.merge(key.toString(), 1, Integer::sum);
        }
        assertTrue(permutations.size() > 150, "7! = 5040 permutations; " + permutations.size() + " distinct");
    }

    @Test
    void oneSeedReproducesEpisodesAcrossScenarioInstances() {
        Scenario a = CATALOG.create(OffloadMecExplabOff.ENV_ID, Map.of("setting", "2x5"));
        Scenario b = CATALOG.create(OffloadMecExplabOff.ENV_ID, Map.of("setting", "2x5"));
        Frames frames = new Frames(a.spec());
        int compared = 0;
        for (long seed = 0; seed < 50; seed++) {
            List<byte[]> first = episode(a, frames, seed);
            List<byte[]> second = episode(b, frames, seed);
            assertEquals(first.size(), second.size());
            for (int i = 0; i < first.size(); i++) {
                assertArrayEquals(first.get(i), second.get(i), "seed " + seed + " frame " + i);
                compared++;
            }
        }
        assertTrue(compared >= 100, "frames compared: " + compared);
        assertFalse(java.util.Arrays.equals(episode(a, frames, 1).get(0), episode(a, frames, 2).get(0)));
    }

    private static List<byte[]> episode(Scenario s, Frames frames, long seed) {
        Rng rng = new Rng(seed * 31 + 7);
        List<byte[]> out = new ArrayList<>();
        s.reset(seed);
        out.add(frames.encode(s.output()));
        int n = s.spec().agents().size();
        while (!s.output().terminated && !s.output().truncated) {
            float[] actions = new float[2 * n];
            for (int i = 0; i < actions.length; i++) {
                // Mostly heavy offloading so that episodes run for several steps.
                actions[i] = i % 2 == 0 ? (float) rng.uniform(-1, 1) : (float) rng.uniform(0.4, 1);
            }
            s.stepContinuous(actions);
            out.add(frames.encode(s.output()));
        }
        return out;
    }

    @Test
    void badSettingsAndActionsGiveNamedErrors() {
        ConfigException unknown = assertThrows(ConfigException.class,
                () -> CATALOG.create(OffloadMecExplabOff.ENV_ID, Map.of("setting", "4x9")));
        assertTrue(unknown.getMessage().contains("env.setting = setting (from 'setting' = 4x9")
                && unknown.getMessage().contains("expected one of auto, 2x3, 2x5, 3x7"), unknown.getMessage());
        ConfigException count = assertThrows(ConfigException.class,
                () -> CATALOG.create(OffloadMecExplabOff.ENV_ID, Map.of("n_devices", "4")));
        assertTrue(count.getMessage().contains("'n_devices' = 4") && count.getMessage().contains(
                "tables exist for 2x3 (2 servers, 3 devices), 2x5 (2 servers, 5 devices), 3x7 (3 servers, 7 devices)"),
                count.getMessage());
        ConfigException mismatch = assertThrows(ConfigException.class,
                () -> CATALOG.create(OffloadMecExplabOff.ENV_ID, Map.of("setting", "2x5", "n_devices", "7")));
        assertTrue(mismatch.getMessage().contains("expected auto or 5 (setting 2x5 has 5 devices)"),
                mismatch.getMessage());
        ConfigException caps = assertThrows(ConfigException.class,
                () -> CATALOG.create(OffloadMecExplabOff.ENV_ID, Map.of("server_capacities", "6,x")));
        assertTrue(caps.getMessage().contains("2 comma-separated capacities > 0"), caps.getMessage());
        ConfigException size = assertThrows(ConfigException.class,
                () -> CATALOG.create(OffloadMecExplabOff.ENV_ID, Map.of("network.size", "9")));
        assertTrue(size.getMessage().contains("network.size = 9"), size.getMessage());

        Scenario s = scripted();
        assertThrows(ResetNeeded.class, () -> s.stepContinuous(new float[6]));
        s.reset(1);
        ActionException nan = assertThrows(ActionException.class,
                () -> s.stepContinuous(new float[] {0, 0, Float.NaN, 0, 0, 0}));
        assertEquals("action for md_1 has server_choice = NaN; expected a finite number (values outside [-1, 1] "
                + "are clipped)", nan.getMessage());
        ActionException shape = assertThrows(ActionException.class, () -> s.stepContinuous(new float[4]));
        assertTrue(shape.getMessage().startsWith("expected 6 action values"), shape.getMessage());
        assertThrows(ActionException.class, () -> s.step(new int[3]));
        s.stepContinuous(new float[] {ES1, 0.9f, ES1, 0.9f, ES1, 0.9f});
        assertEquals(1, s.output().step, "the scenario still steps after rejected actions");
    }
}
