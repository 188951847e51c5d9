package edgesim.bridge;

import edgesim.scenario.Field;
import edgesim.scenario.Spec;
import edgesim.scenario.StepOutput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * The wire format of the bridge (contract version {@link #CONTRACT_VERSION}). A step frame is one
 * little-endian byte array: a 56-byte header, then the sections observation (float32, agents x obs_dim),
 * action_mask (uint8, agents x actions), metrics (float64, agents x metrics), state (float32) and
 * task_records (float64, records x fields), each starting at a multiple of 8 bytes. Frames cross py4j as
 * base64 text, which Python decodes in one call. An action frame is one int32 per agent for discrete
 * actions, or the agent's float32 vector per agent (agent-major) for continuous ones.
 */
public final class Frames {
    public static final int CONTRACT_VERSION = 1;
    /** "PYGF" as little-endian bytes. */
    public static final int MAGIC = 0x46475950;
    public static final int HEADER_BYTES = 56;
    public static final int FLAG_TERMINATED = 1;
    public static final int FLAG_TRUNCATED = 2;

    private final int agents;
    private final int obsDim;
    private final int actions;
    private final int actionDim;
    private final boolean continuous;
    private final int metricDim;
    private final int stateDim;
    private final int recordFields;
    private final int obsOffset;
    private final int maskOffset;
    private final int metricsOffset;
    private final int stateOffset;
    private final int recordsOffset;

    public Frames(Spec spec) {
        agents = spec.agents().size();
        obsDim = spec.observation().size();
        actions = spec.actionCount();
        actionDim = spec.actionDim();
        continuous = spec.continuous();
        metricDim = spec.metrics().size();
        stateDim = spec.state().size();
        recordFields = spec.taskRecord().size();
        obsOffset = HEADER_BYTES;
        maskOffset = align8(obsOffset + 4 * agents * obsDim);
        metricsOffset = align8(maskOffset + agents * actions);
        stateOffset = align8(metricsOffset + 8 * agents * metricDim);
        recordsOffset = align8(stateOffset + 4 * stateDim);
    }

    private static int align8(int n) {
        return (n + 7) & ~7;
    }

    /** Encodes {@code out} as a frame. */
    public byte[] encode(StepOutput out) {
        int records = out.taskRecordCount;
        ByteBuffer b = ByteBuffer.allocate(recordsOffset + 8 * records * recordFields).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(CONTRACT_VERSION).putInt(out.step)
                .putInt((out.terminated ? FLAG_TERMINATED : 0) | (out.truncated ? FLAG_TRUNCATED : 0))
                .putDouble(out.time_s)
                .putInt(agents).putInt(obsDim).putInt(actions).putInt(metricDim).putInt(stateDim)
                .putInt(recordFields).putInt(records).putInt(0);
        b.position(obsOffset);
        b.asFloatBuffer().put(out.observation);
        b.position(maskOffset);
        b.put(out.actionMask);
        b.position(metricsOffset);
        b.asDoubleBuffer().put(out.metrics);
        b.position(stateOffset);
        b.asFloatBuffer().put(out.state);
        b.position(recordsOffset);
        b.asDoubleBuffer().put(out.taskRecords, 0, records * recordFields);
        return b.array();
    }

    /** Encodes {@code out} as base64 text, the form that crosses py4j cheaply. */
    public String encodeText(StepOutput out) {
        return Base64.getEncoder().encodeToString(encode(out));
    }

    /** Decodes a discrete action frame: one little-endian int32 per agent. FrameException if malformed. */
    public int[] decodeActions(byte[] frame) {
        checkLength(frame, "int32");
        int[] actionsOut = new int[agents];
        ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(actionsOut);
        return actionsOut;
    }

    /** Decodes a continuous action frame: actionDim little-endian float32 per agent, agent-major. */
    public float[] decodeContinuousActions(byte[] frame) {
        checkLength(frame, "float32");
        float[] actionsOut = new float[agents * actionDim];
        ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(actionsOut);
        return actionsOut;
    }

    /** Whether action frames carry floats (continuous actions) rather than one int32 per agent. */
    public boolean continuous() {
        return continuous;
    }

    private void checkLength(byte[] frame, String type) {
        int expected = 4 * agents * actionDim;
        if (frame == null || frame.length != expected) {
            throw new FrameException("action frame has " + (frame == null ? "no" : frame.length) + " bytes; expected "
                    + expected + " (" + (actionDim == 1 ? "one" : actionDim) + " little-endian " + type
                    + " for each of " + agents + " agents)");
        }
    }

    /** The describe reply: the spec, the frame layout and the configuration, as JSON. */
    public static String describe(Spec spec, int sessionId, String configText) {
        Json j = new Json().beginObject()
                .key("contract_version").value(CONTRACT_VERSION)
                .key("session").value(sessionId)
                .key("env_id").value(spec.envId())
                .key("agents").strings(spec.agents())
                .key("agent_nodes").beginArray();
        for (int node : spec.agentNodes()) {
            j.value(node);
        }
        j.endArray()
                .key("epoch_s").value(spec.epoch_s())
                .key("max_steps").value(spec.maxSteps());
        new Frames(spec).describeLayout(j, spec);
        j.key("config").value(configText);
        return j.endObject().toString();
    }

    private void describeLayout(Json j, Spec spec) {
        j.key("frame").beginObject()
                .key("magic").value(MAGIC)
                .key("header_bytes").value(HEADER_BYTES)
                .key("observation_offset").value(obsOffset)
                .key("action_mask_offset").value(maskOffset)
                .key("metrics_offset").value(metricsOffset)
                .key("state_offset").value(stateOffset)
                .key("task_records_offset").value(recordsOffset)
                .key("action_bytes").value(4 * agents * actionDim)
                .endObject();
        fields(j, "observation", spec.observation().toArray(new Field[0]));
        fields(j, "metrics", spec.metrics().toArray(new Field[0]));
        fields(j, "state", spec.state().toArray(new Field[0]));
        j.key("actions").strings(spec.actionMeanings());
        fields(j, "continuous_actions", spec.continuousActions().toArray(new Field[0]));
        j.key("task_record").strings(spec.taskRecord());
    }

    private static void fields(Json j, String name, Field[] fields) {
        j.key(name).beginArray();
        for (Field f : fields) {
            j.beginObject().key("name").value(f.name()).key("unit").value(f.unit())
                    .key("low").value(f.low()).key("high").value(f.high()).endObject();
        }
        j.endArray();
    }
}
