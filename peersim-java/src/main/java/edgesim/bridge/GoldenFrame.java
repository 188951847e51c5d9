package edgesim.bridge;

import edgesim.scenario.Field;
import edgesim.scenario.Spec;
import edgesim.scenario.StepOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The golden frames of the bridge contract: a small fixed spec, a batch of two step outputs and one input
 * frame, whose encodings are committed (tests/contract/golden). JUnit checks that the encoders still produce
 * those bytes; pytest checks that the Python decoder reads the values below from the batch frame and that the
 * Python encoder produces the input frame byte for byte. Usage: {@code GoldenFrame OUTPUT_DIR} (make golden).
 */
public final class GoldenFrame {
    public static final String BATCH_FILE = "batch_v" + Frames.CONTRACT_VERSION + ".bin";
    public static final String INPUT_FILE = "input_v" + Frames.CONTRACT_VERSION + ".bin";
    public static final String SPEC_FILE = "describe_v" + Frames.CONTRACT_VERSION + ".json";

    private GoldenFrame() {
    }

    /** Two agents, three observation fields, three actions, two metrics, four state values, three record fields. */
    public static Spec spec() {
        return new Spec("golden-v0", List.of("node_0", "node_2"), List.of(0, 2),
                List.of(new Field("queue_tasks", "tasks", 0, 10), new Field("cpu_hz", "Hz", 0,
                        Double.POSITIVE_INFINITY), new Field("age_s", "s", 0, Double.POSITIVE_INFINITY)),
                List.of("local", "neighbour 0", "neighbour 1"), List.of(),
                List.of(new Field("completed", "tasks", 0, Double.POSITIVE_INFINITY),
                        new Field("energy_j", "J", 0, Double.POSITIVE_INFINITY)),
                List.of(new Field("node_0.queue_tasks", "tasks", 0, Double.POSITIVE_INFINITY),
                        new Field("node_1.queue_tasks", "tasks", 0, Double.POSITIVE_INFINITY),
                        new Field("node_2.queue_tasks", "tasks", 0, Double.POSITIVE_INFINITY),
                        new Field("node_3.queue_tasks", "tasks", 0, Double.POSITIVE_INFINITY)),
                List.of("origin_node", "executor_node", "latency_s"), 0.25, 40);
    }

    /** The two step outputs encoded in the golden batch frame; the values exercise each type and flag. */
    public static StepOutput[] outputs() {
        StepOutput first = new StepOutput(spec());
        System.arraycopy(new float[] {3f, 1.5e9f, 0.125f, 0f, 2.0e9f, 1e-3f}, 0, first.observation, 0, 6);
        System.arraycopy(new byte[] {1, 1, 0, 1, 0, 1}, 0, first.actionMask, 0, 6);
        System.arraycopy(new double[] {2, 0.75, 0, 1.0 / 3.0}, 0, first.metrics, 0, 4);
        System.arraycopy(new float[] {3f, 0f, 7f, 10f}, 0, first.state, 0, 4);
        first.taskRecords = new double[] {0, 2, 0.4375, 2, 2, 1e-6};
        first.taskRecordCount = 2;
        first.step = 17;
        first.time_s = 4.5;
        first.truncated = true;
        StepOutput second = new StepOutput(spec());
        System.arraycopy(new float[] {10f, 5e8f, -0f, 1f, 1f, 1f}, 0, second.observation, 0, 6);
        System.arraycopy(new byte[] {1, 0, 0, 1, 1, 1}, 0, second.actionMask, 0, 6);
        System.arraycopy(new double[] {-1, 1e300, 5, 1e-300}, 0, second.metrics, 0, 4);
        System.arraycopy(new float[] {1f, 2f, 3f, 4f}, 0, second.state, 0, 4);
        second.taskRecords = new double[] {2, 0, 99.5};
        second.taskRecordCount = 1;
        second.step = 3;
        second.time_s = 1.0;
        second.terminated = true;
        return new StepOutput[] {first, second};
    }

    /** The golden input frame: step env 0 with actions (2, 0), reset env 1 with seed 2^40 + 7. */
    public static byte[] input() {
        return new Frames(spec()).encodeInput(new byte[] {Frames.OP_STEP, Frames.OP_RESET},
                new long[] {0, (1L << 40) + 7}, new int[] {2, 0, 1, 1}, true);
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        Files.write(dir.resolve(BATCH_FILE), new Frames(spec()).encode(outputs()));
        Files.write(dir.resolve(INPUT_FILE), input());
        Files.writeString(dir.resolve(SPEC_FILE), Frames.describe(spec(), 0, 2, 1, "") + "\n",
                StandardCharsets.UTF_8);
        System.out.println("wrote " + BATCH_FILE + ", " + INPUT_FILE + " and " + SPEC_FILE + " in " + dir);
    }
}
