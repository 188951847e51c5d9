package edgesim.scenario;

import edgesim.config.ConfigReader;
import java.util.ArrayList;
import java.util.List;

/**
 * The observation modes of a scenario that offers its observations scaled by their declared bounds: {@code raw}
 * (the fields in their units) or {@code normalised}, where every field whose declared high is finite and above
 * 0 is divided by that high, so that a field in [0, high] lies in [0, 1] (flags and fields whose high is 1 are
 * unchanged). A field without a finite bound stays raw. The state is scaled the same way (when it is not the
 * observations, which are already scaled). The division is in float32, of the float32 value by the float32
 * high, so a value within its raw bounds stays within [low / high, 1].
 */
public final class ObservationScaling {
    public static final String RAW = "raw";
    public static final String NORMALISED = "normalised";

    private final int[] observationColumns;
    private final float[] observationScales;
    private final int[] stateColumns;
    private final float[] stateScales;
    private final Spec spec;

    /** Reads an observation mode key: true for {@code normalised}, false for {@code raw}. */
    public static boolean read(ConfigReader reader, String key) {
        return reader.getChoice(key, RAW, NORMALISED).equals(NORMALISED);
    }

    /** The scaling of the raw spec {@code raw}. */
    ObservationScaling(Spec raw) {
        List<Integer> obs = scaled(raw.observation());
        List<Integer> state = raw.stateIsObservations() ? List.of() : scaled(raw.state());
        observationColumns = obs.stream().mapToInt(Integer::intValue).toArray();
        observationScales = highs(raw.observation(), observationColumns);
        stateColumns = state.stream().mapToInt(Integer::intValue).toArray();
        stateScales = highs(raw.state(), stateColumns);
        spec = new Spec(raw.envId(), raw.agents(), raw.agentNodes(), scale(raw.observation()), raw.actionMeanings(),
                raw.continuousActions(), raw.metrics(), scale(raw.state()), raw.taskRecord(), raw.epoch_s(),
                raw.maxSteps(), raw.stateIsObservations());
    }

    /** The spec with the scaled fields' bounds (divided by their highs) and units ("s / 101"). */
    Spec spec() {
        return spec;
    }

    /** Scales the frame's observations and state in place. */
    void apply(StepOutput out) {
        int dim = spec.observation().size();
        float[] obs = out.observation;
        for (int base = 0; base < obs.length; base += dim) {
            for (int c = 0; c < observationColumns.length; c++) {
                obs[base + observationColumns[c]] /= observationScales[c];
            }
        }
        for (int c = 0; c < stateColumns.length; c++) {
            out.state[stateColumns[c]] /= stateScales[c];
        }
    }

    private static boolean isScaled(Field f) {
        return Double.isFinite(f.high()) && f.high() > 0 && f.high() != 1;
    }

    private static List<Integer> scaled(List<Field> fields) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < fields.size(); i++) {
            if (isScaled(fields.get(i))) {
                out.add(i);
            }
        }
        return out;
    }

    private static float[] highs(List<Field> fields, int[] columns) {
        float[] out = new float[columns.length];
        for (int c = 0; c < columns.length; c++) {
            out[c] = (float) fields.get(columns[c]).high();
        }
        return out;
    }

    private static List<Field> scale(List<Field> fields) {
        List<Field> out = new ArrayList<>();
        for (Field f : fields) {
            if (isScaled(f)) {
                // Bounds as Python will compare them: the float32 high divided by itself is exactly 1.
                float high = (float) f.high();
                out.add(new Field(f.name(), f.unit() + " / " + number(f.high()), (float) f.low() / high, 1.0));
            } else {
                out.add(f);
            }
        }
        return List.copyOf(out);
    }

    /** 2000000000 rather than 2.0E9 for whole numbers; Java's shortest form otherwise. */
    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                : Double.toString(value);
    }
}
