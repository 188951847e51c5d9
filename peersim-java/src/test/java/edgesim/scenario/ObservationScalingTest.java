package edgesim.scenario;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The normalised observation mode on a hand-made spec: the fields scaled, by what, and the spec it declares. */
class ObservationScalingTest {
    private static final double INF = Double.POSITIVE_INFINITY;

    private static Spec spec(boolean ownState) {
        Layout obs = new Layout();
        obs.add("queue_tasks", 0, 10);
        obs.flag("present");
        obs.add("age_s", 0, INF);
        obs.add("cpu_hz", 0, 2e9);
        obs.add("task_output_bytes", 0, 0);
        Layout metrics = new Layout();
        metrics.add("completed", 0, INF);
        Spec.Builder b = Spec.builder("scaled-v0").agents(List.of("a", "b"), List.of(0, 1)).observation(obs)
                .actions(List.of("local")).metrics(metrics).timing(1, 10);
        if (ownState) {
            Layout state = new Layout();
            state.add("backlog_bytes", 0, 3e6);
            state.add("unbounded", 0, INF);
            b.state(state);
        }
        return b.build();
    }

    @Test
    void fieldsWithAFiniteHighAboveZeroAndNotOneAreDividedByIt() {
        ObservationScaling scaling = new ObservationScaling(spec(true));
        Spec s = scaling.spec();
        assertEquals(List.of("tasks / 10", "flag", "s", "Hz / 2000000000", "bytes"),
                s.observation().stream().map(Field::unit).toList());
        assertEquals(List.of(1.0, 1.0, INF, 1.0, 0.0), s.observation().stream().map(Field::high).toList());
        assertEquals(List.of(1.0, INF), s.state().stream().map(Field::high).toList());
        assertEquals(spec(true).metrics(), s.metrics());

        StepOutput out = new StepOutput(s);
        float[] raw = {3, 1, 0.25f, 1.7e9f, 0, 10, 0, 7.5f, 2e9f, 0};
        System.arraycopy(raw, 0, out.observation, 0, raw.length);
        out.state[0] = 1.5e6f;
        out.state[1] = 42;
        scaling.apply(out);
        float[] expected = {3 / 10f, 1, 0.25f, 1.7e9f / 2e9f, 0, 10 / 10f, 0, 7.5f, 2e9f / 2e9f, 0};
        assertArrayEquals(expected, out.observation);
        assertArrayEquals(new float[] {0.5f, 42}, out.state);
    }

    @Test
    void aStateMadeOfTheObservationsIsScaledOnce() {
        ObservationScaling scaling = new ObservationScaling(spec(false));
        Spec s = scaling.spec();
        assertEquals(s.observation().size() * 2, s.state().size());
        assertEquals("a.queue_tasks", s.state().get(0).name());
        assertEquals(1.0, s.state().get(0).high());
        StepOutput out = new StepOutput(s);
        out.observation[0] = 5;
        scaling.apply(out);
        assertEquals(0.5f, out.state[0]); // the same array: divided once, not twice
    }
}
