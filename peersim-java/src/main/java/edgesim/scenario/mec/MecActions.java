package edgesim.scenario.mec;

import edgesim.scenario.ActionException;
import edgesim.scenario.Field;
import edgesim.scenario.Spec;
import java.util.List;

/**
 * Decoding of the MEC scenarios' continuous actions: each device sends a 2-vector in [-1, 1], the first
 * component choosing a server, the second the fraction of the task to offload. Values outside the bounds
 * are clipped (never rejected), as ExplabOff's run script does; NaN and infinities are rejected.
 */
final class MecActions {
    /** The release clips to +-0.9999, so every server bin is reachable and both task parts are non-zero. */
    static final double RELEASED_CLIP = 0.9999;
    /** The fields of one device's action vector. */
    static final List<Field> FIELDS = List.of(
            new Field("server_choice", "server bin", -1, 1),
            new Field("offload_ratio", "2p - 1", -1, 1));
    static final int DIM = FIELDS.size();

    private MecActions() {
    }

    /** Checks the length and that every value is finite; ActionException names the agent and what was expected. */
    static void check(Spec spec, float[] actions) {
        int agents = spec.agents().size();
        if (actions.length != agents * DIM) {
            throw new ActionException("expected " + agents * DIM + " action values (" + DIM + " per agent: "
                    + String.join(", ", FIELDS.stream().map(Field::name).toList()) + "), got " + actions.length);
        }
        for (int i = 0; i < actions.length; i++) {
            if (!Float.isFinite(actions[i])) {
                throw new ActionException("action for " + spec.agents().get(i / DIM) + " has "
                        + FIELDS.get(i % DIM).name() + " = " + actions[i]
                        + "; expected a finite number (values outside [-1, 1] are clipped)");
            }
        }
    }

    /** floor((clip(a) + 1) * servers / 2): the server whose bin of [-1, 1] holds {@code a}. */
    static int server(float a, int servers, double clip) {
        double c = Math.max(-clip, Math.min(clip, a));
        // With clip 1 the top edge a = 1 would give index `servers`; it belongs to the last bin.
        return Math.min(servers - 1, (int) Math.floor((c + 1) * servers / 2));
    }

    /** (clip(a) + 1) / 2: the offloaded fraction of the task. */
    static double ratio(float a, double clip) {
        double c = Math.max(-clip, Math.min(clip, a));
        return (c + 1) / 2;
    }
}
