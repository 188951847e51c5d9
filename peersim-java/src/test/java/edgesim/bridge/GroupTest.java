package edgesim.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import edgesim.engine.Rng;
import edgesim.scenario.ActionException;
import edgesim.scenario.ResetNeeded;
import edgesim.scenario.Scenario;
import edgesim.scenario.ScenarioCatalog;
import edgesim.scenario.Spec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GroupTest {
    private static final ScenarioCatalog CATALOG = new ScenarioCatalog();
    private static final Map<String, String> SHORT = Map.of("episode_s", "3", "arrival_rate_hz", "6");

    private static Group group(String envId, Map<String, String> overrides, int n, int threads) {
        List<Scenario> scenarios = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            scenarios.add(CATALOG.create(envId, overrides));
        }
        return new Group(scenarios, threads, "test-group");
    }

    /** Every batch frame of {@code calls} calls with random valid actions, resetting envs whose episode ended. */
    private static List<byte[]> trajectory(Group g, int calls, long seed) {
        Spec spec = g.spec();
        Frames frames = new Frames(spec);
        int n = g.size();
        int agents = spec.agents().size();
        int actions = spec.actionCount();
        Frames.Layout layout = frames.layout(n, 0);
        byte[] ops = new byte[n];
        long[] seeds = new long[n];
        Arrays.fill(ops, Frames.OP_RESET);
        for (int i = 0; i < n; i++) {
            seeds[i] = seed + i;
        }
        Rng rng = new Rng(seed);
        List<byte[]> out = new ArrayList<>();
        int[] discrete = new int[n * agents];
        float[] continuous = new float[n * agents * spec.actionDim()];
        for (int c = 0; c < calls; c++) {
            byte[] input = frames.encodeInput(ops, seeds, spec.continuous() ? continuous : discrete, true);
            byte[] frame = g.run(input);
            out.add(frame);
            ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                boolean ended = b.get(layout.ends + i) != 0;
                ops[i] = ended ? Frames.OP_RESET : Frames.OP_STEP;
                seeds[i] = seed + 1000 + c * n + i;
                for (int a = 0; a < agents; a++) {
                    if (spec.continuous()) {
                        continuous[2 * (i * agents + a)] = (float) rng.uniform(-1, 1);
                        continuous[2 * (i * agents + a) + 1] = (float) rng.uniform(-1, 1);
                    } else {
                        int base = layout.actionMask + (i * agents + a) * actions;
                        int choice;
                        do {
                            choice = rng.nextInt(actions);
                        } while (b.get(base + choice) == 0);
                        discrete[i * agents + a] = choice;
                    }
                }
            }
        }
        return out;
    }

    private static void assertSameFrames(List<byte[]> expected, List<byte[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int c = 0; c < expected.size(); c++) {
            assertArrayEquals(expected.get(c), actual.get(c), "call " + c);
        }
    }

    @Test
    void framesDoNotDependOnTheNumberOfThreads() {
        for (String envId : List.of("offload-neighbour-v0", "offload-mec-explaboff-v0", "offload-mec-v0")) {
            Map<String, String> overrides = envId.equals("offload-neighbour-v0") ? SHORT : Map.of();
            Group one = group(envId, overrides, 7, 1);
            Group four = group(envId, overrides, 7, 4);
            // 80 calls cover several whole episodes of every env (30, 10 and 10 steps) and their resets.
            List<byte[]> single = trajectory(one, 80, 5);
            assertEquals(4, four.threads());
            assertSameFrames(single, trajectory(four, 80, 5));
            one.close();
            four.close();
        }
        // 67 sessions on 4 threads are claimed two at a time, the last claim holding one.
        Group one = group("offload-mec-explaboff-v0", Map.of(), 67, 1);
        Group four = group("offload-mec-explaboff-v0", Map.of(), 67, 4);
        assertSameFrames(trajectory(one, 40, 9), trajectory(four, 40, 9));
        one.close();
        four.close();
    }

    @Test
    void aBadActionAnywhereAppliesNothing() {
        Group g = group("offload-neighbour-v0", SHORT, 3, 2);
        Frames frames = new Frames(g.spec());
        byte[] reset = {Frames.OP_RESET, Frames.OP_RESET, Frames.OP_RESET};
        byte[] step = {Frames.OP_STEP, Frames.OP_STEP, Frames.OP_STEP};
        long[] seeds = {1, 2, 3};
        int[] actions = new int[30];
        byte[] first = g.run(frames.encodeInput(reset, seeds, actions, false));
        actions[2 * 10 + 4] = 99;
        ActionException bad = assertThrows(ActionException.class,
                () -> g.run(frames.encodeInput(step, seeds, actions, false)));
        assertEquals("env 2, agent node_4: action 99 is outside [0, 5)", bad.getMessage());
        byte[] hold = {Frames.OP_HOLD, Frames.OP_HOLD, Frames.OP_HOLD};
        assertArrayEquals(first, g.run(frames.encodeInput(hold, seeds, actions, false)), "no env advanced");
        actions[24] = 0;
        byte[] stepped = g.run(frames.encodeInput(step, seeds, actions, false));
        assertTrue(!Arrays.equals(stepped, first));
        g.close();
        assertThrows(ResetNeeded.class, () -> g.run(frames.encodeInput(hold, seeds, actions, false)));
    }

    @Test
    void stepsBeforeResetAndAfterTheEndAreRefusedByEnv() {
        Group g = group("offload-mec-explaboff-v0", Map.of(), 2, 1);
        Frames frames = new Frames(g.spec());
        float[] actions = new float[12];
        ResetNeeded early = assertThrows(ResetNeeded.class,
                () -> g.run(frames.encodeInput(new byte[] {Frames.OP_RESET, Frames.OP_STEP}, new long[2], actions,
                        false)));
        assertEquals("env 1: the episode ended (or was never started); reset it first", early.getMessage());
        g.close();
    }
}
