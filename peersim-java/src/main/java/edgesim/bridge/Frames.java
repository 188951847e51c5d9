package edgesim.bridge;

import edgesim.scenario.Field;
import edgesim.scenario.Spec;
import edgesim.scenario.StepOutput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The wire format of the bridge (contract version {@link #CONTRACT_VERSION}): one call steps a whole group of
 * sessions, with one input frame in and one batch frame out. Both are little-endian byte arrays that cross
 * py4j as base64 text (Python decodes base64 in one call; py4j decodes byte arrays one byte at a time).
 *
 * <p>An <b>input frame</b> is a 16-byte header (magic "PYGA", version, sessions n, flags; flag bit 0 asks for
 * task records), then {@code ops} (int8 per session: {@link #OP_STEP}, {@link #OP_RESET} or {@link #OP_HOLD}),
 * {@code seeds} (int64 per session, read for resets) and {@code actions}: per session, per agent one int32
 * (discrete) or the agent's float32 vector (continuous). Each section starts at a multiple of 8 bytes.
 *
 * <p>A <b>batch frame</b> is a {@value #HEADER_BYTES}-byte header (magic "PYGB", version, n, agents,
 * obs_dim, actions, action_dim, metrics, state_dim, record_fields, total records, flags) and then sections
 * that each hold all sessions, session-major inside a section, so that numpy reshapes them without copies:
 * step (int32), ends (int8: bit 0 terminated, bit 1 truncated), time_s (float64), observation (float32,
 * n x agents x obs_dim), action_mask (int8, n x agents x actions), metrics (float64, n x agents x metrics),
 * state (float32, n x state_dim; absent when the state is the observations concatenated, flag bit 0),
 * record_counts (int32 per session) and task_records (float64, total x fields, session after session; only
 * with flag bit 1). Each section starts at a multiple of 8 bytes. A single environment is a group of one.
 */
public final class Frames {
    public static final int CONTRACT_VERSION = 2;
    /** "PYGB" as little-endian bytes: a batch frame. */
    public static final int MAGIC = 0x42475950;
    /** "PYGA" as little-endian bytes: an input frame. */
    public static final int INPUT_MAGIC = 0x41475950;
    public static final int HEADER_BYTES = 64;
    public static final int INPUT_HEADER_BYTES = 16;
    public static final int END_TERMINATED = 1;
    public static final int END_TRUNCATED = 2;
    public static final int FLAG_STATE_IS_OBSERVATIONS = 1;
    public static final int FLAG_RECORDS = 2;
    public static final int INPUT_FLAG_RECORDS = 1;
    public static final byte OP_STEP = 0;
    public static final byte OP_RESET = 1;
    /** Leave the session as it is and send its last output again. */
    public static final byte OP_HOLD = 2;

    private final int agents;
    private final int obsDim;
    private final int actions;
    private final int actionDim;
    private final boolean continuous;
    private final int metricDim;
    private final int stateDim;
    private final int recordFields;
    private final boolean stateIsObservations;

    public Frames(Spec spec) {
        agents = spec.agents().size();
        obsDim = spec.observation().size();
        actions = spec.actionCount();
        actionDim = spec.actionDim();
        continuous = spec.continuous();
        metricDim = spec.metrics().size();
        stateIsObservations = spec.stateIsObservations();
        stateDim = stateIsObservations ? 0 : spec.state().size();
        recordFields = spec.taskRecord().size();
    }

    static int align8(int n) {
        return (n + 7) & ~7;
    }

    /** Where each section of a batch frame of {@code n} sessions and {@code records} task records starts. */
    public final class Layout {
        public final int n;
        public final int records;
        final int step;
        public final int ends;
        final int time;
        final int observation;
        public final int actionMask;
        final int metrics;
        final int state;
        final int recordCounts;
        final int taskRecords;
        public final int bytes;

        Layout(int n, int records) {
            this.n = n;
            this.records = records;
            step = HEADER_BYTES;
            ends = align8(step + 4 * n);
            time = align8(ends + n);
            observation = align8(time + 8 * n);
            actionMask = align8(observation + 4 * n * agents * obsDim);
            metrics = align8(actionMask + n * agents * actions);
            state = align8(metrics + 8 * n * agents * metricDim);
            recordCounts = align8(state + 4 * n * stateDim);
            taskRecords = align8(recordCounts + 4 * n);
            bytes = taskRecords + 8 * records * recordFields;
        }
    }

    public Layout layout(int n, int records) {
        return new Layout(n, records);
    }

    /** Writes the header of a batch frame. */
    void writeHeader(ByteBuffer b, Layout l, boolean withRecords) {
        b.putInt(0, MAGIC).putInt(4, CONTRACT_VERSION).putInt(8, l.n).putInt(12, agents).putInt(16, obsDim)
                .putInt(20, actions).putInt(24, actionDim).putInt(28, metricDim).putInt(32, stateDim)
                .putInt(36, recordFields).putInt(40, l.records)
                .putInt(44, (stateIsObservations ? FLAG_STATE_IS_OBSERVATIONS : 0) | (withRecords ? FLAG_RECORDS : 0));
    }

    /** Writes session {@code i}'s fixed-size sections (everything but its task records). */
    void writeSession(ByteBuffer b, Layout l, int i, StepOutput out) {
        b.putInt(l.step + 4 * i, out.step);
        b.put(l.ends + i, (byte) ((out.terminated ? END_TERMINATED : 0) | (out.truncated ? END_TRUNCATED : 0)));
        b.putDouble(l.time + 8 * i, out.time_s);
        b.asFloatBuffer().put((l.observation >> 2) + i * agents * obsDim, out.observation);
        b.put(l.actionMask + i * agents * actions, out.actionMask);
        b.asDoubleBuffer().put((l.metrics >> 3) + i * agents * metricDim, out.metrics);
        if (stateDim > 0) {
            b.asFloatBuffer().put((l.state >> 2) + i * stateDim, out.state);
        }
    }

    /** Writes session {@code i}'s task records at record index {@code first}; returns the next index. */
    int writeRecords(ByteBuffer b, Layout l, int i, StepOutput out, int first) {
        b.putInt(l.recordCounts + 4 * i, out.taskRecordCount);
        b.asDoubleBuffer().put((l.taskRecords >> 3) + first * recordFields, out.taskRecords, 0,
                out.taskRecordCount * recordFields);
        return first + out.taskRecordCount;
    }

    static ByteBuffer wrap(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Encodes the outputs of a group's sessions, with their task records, as one batch frame. */
    public byte[] encode(StepOutput... outs) {
        int records = 0;
        for (StepOutput out : outs) {
            records += out.taskRecordCount;
        }
        Layout l = layout(outs.length, records);
        byte[] bytes = new byte[l.bytes];
        ByteBuffer b = wrap(bytes);
        writeHeader(b, l, true);
        int next = 0;
        for (int i = 0; i < outs.length; i++) {
            writeSession(b, l, i, outs[i]);
            next = writeRecords(b, l, i, outs[i], next);
        }
        return bytes;
    }

    /**
     * An input frame: per session an operation and a seed, and its actions, discrete ({@code int[]}) or
     * continuous ({@code float[]}), session-major.
     */
    public byte[] encodeInput(byte[] ops, long[] seeds, Object actionValues, boolean records) {
        int n = ops.length;
        byte[] bytes = new byte[inputBytes(n)];
        ByteBuffer b = wrap(bytes);
        b.putInt(0, INPUT_MAGIC).putInt(4, CONTRACT_VERSION).putInt(8, n).putInt(12, records ? INPUT_FLAG_RECORDS : 0);
        b.put(INPUT_HEADER_BYTES, ops);
        b.asLongBuffer().put(seedsOffset(n) >> 3, seeds);
        if (actionValues instanceof int[] ints) {
            b.asIntBuffer().put(actionsOffset(n) >> 2, ints);
        } else {
            b.asFloatBuffer().put(actionsOffset(n) >> 2, (float[]) actionValues);
        }
        return bytes;
    }

    /** Number of values in one session's actions: agents x (1 or the continuous action's length). */
    int actionValues() {
        return agents * actionDim;
    }

    boolean continuous() {
        return continuous;
    }

    int actionCount() {
        return actions;
    }

    /** Bytes of an input frame for {@code n} sessions. */
    int inputBytes(int n) {
        return actionsOffset(n) + 4 * n * actionValues();
    }

    static int seedsOffset(int n) {
        return align8(INPUT_HEADER_BYTES + n);
    }

    static int actionsOffset(int n) {
        return seedsOffset(n) + 8 * n;
    }

    /** Checks an input frame's header and length for a group of {@code n}; FrameException if malformed. */
    ByteBuffer checkInput(byte[] input, int n) {
        if (input == null || input.length < INPUT_HEADER_BYTES) {
            throw new FrameException("input frame has " + (input == null ? "no" : input.length)
                    + " bytes, less than its " + INPUT_HEADER_BYTES + "-byte header");
        }
        ByteBuffer b = wrap(input);
        if (b.getInt(0) != INPUT_MAGIC) {
            throw new FrameException(String.format("bad input frame magic 0x%08x, expected 0x%08x", b.getInt(0),
                    INPUT_MAGIC));
        }
        if (b.getInt(4) != CONTRACT_VERSION) {
            throw new FrameException("input frame has contract version " + b.getInt(4) + ", expected "
                    + CONTRACT_VERSION);
        }
        if (b.getInt(8) != n) {
            throw new FrameException("input frame is for " + b.getInt(8) + " sessions; this group has " + n);
        }
        if (input.length != inputBytes(n)) {
            throw new FrameException("input frame has " + input.length + " bytes; expected " + inputBytes(n)
                    + " for " + n + " sessions of " + agents + " agents x " + actionDim + " little-endian "
                    + (continuous ? "float32" : "int32"));
        }
        return b;
    }

    /** The describe reply: the spec, the frame layout and the configuration, as JSON. */
    public static String describe(Spec spec, int groupId, int sessions, int threads, String configText) {
        Json j = new Json().beginObject()
                .key("contract_version").value(CONTRACT_VERSION)
                .key("group").value(groupId)
                .key("sessions").value(sessions)
                .key("threads").value(threads)
                .key("env_id").value(spec.envId())
                .key("agents").strings(spec.agents())
                .key("agent_nodes").beginArray();
        for (int node : spec.agentNodes()) {
            j.value(node);
        }
        j.endArray()
                .key("epoch_s").value(spec.epoch_s())
                .key("max_steps").value(spec.maxSteps())
                .key("state_is_observations").value(spec.stateIsObservations())
                .key("frame").beginObject()
                .key("magic").value(MAGIC)
                .key("input_magic").value(INPUT_MAGIC)
                .key("header_bytes").value(HEADER_BYTES)
                .key("input_header_bytes").value(INPUT_HEADER_BYTES)
                .endObject();
        fields(j, "observation", spec.observation().toArray(new Field[0]));
        fields(j, "metrics", spec.metrics().toArray(new Field[0]));
        fields(j, "state", spec.state().toArray(new Field[0]));
        j.key("actions").strings(spec.actionMeanings());
        fields(j, "continuous_actions", spec.continuousActions().toArray(new Field[0]));
        j.key("task_record").strings(spec.taskRecord());
        j.key("config").value(configText);
        return j.endObject().toString();
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
