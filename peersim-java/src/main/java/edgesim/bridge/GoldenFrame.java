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
 * The golden frame of the bridge contract: a small fixed spec and step output whose encoding is committed
 * (tests/contract/golden). JUnit checks that the encoder still produces those bytes; pytest checks that the
 * Python decoder reads the values below from them. Usage: {@code GoldenFrame OUTPUT_DIR} (make golden).
 */
public final class GoldenFrame {
    public static final String FRAME_FILE = "frame_v" + Frames.CONTRACT_VERSION + ".bin";
    public static final String SPEC_FILE = "frame_v" + Frames.CONTRACT_VERSION + ".describe.json";

    private GoldenFrame() {
    }

    /** Two agents, three observation fields, three actions, two metrics, four state values, two records. */
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

    /** The step output encoded in the golden frame; the values are chosen to exercise each type. */
    public static StepOutput output() {
        StepOutput out = new StepOutput(spec());
        System.arraycopy(new float[] {3f, 1.5e9f, 0.125f, 0f, 2.0e9f, 1e-3f}, 0, out.observation, 0, 6);
        System.arraycopy(new byte[] {1, 1, 0, 1, 0, 1}, 0, out.actionMask, 0, 6);
        System.arraycopy(new double[] {2, 0.75, 0, 1.0 / 3.0}, 0, out.metrics, 0, 4);
        System.arraycopy(new float[] {3f, 0f, 7f, 10f}, 0, out.state, 0, 4);
        out.taskRecords = new double[] {0, 2, 0.4375, 2, 2, 1e-6};
        out.taskRecordCount = 2;
        out.step = 17;
        out.time_s = 4.5;
        out.truncated = true;
        return out;
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        Files.write(dir.resolve(FRAME_FILE), new Frames(spec()).encode(output()));
        Files.writeString(dir.resolve(SPEC_FILE), Frames.describe(spec(), 0, "") + "\n", StandardCharsets.UTF_8);
        System.out.println("wrote " + dir.resolve(FRAME_FILE) + " and " + dir.resolve(SPEC_FILE));
    }
}
