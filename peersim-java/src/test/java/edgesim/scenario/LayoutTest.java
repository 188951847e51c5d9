package edgesim.scenario;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Layouts name every column once, in order; writers find a column only through its handle or its name. */
class LayoutTest {
    private enum Counter {
        DROPPED_QUEUE_FULL, LATENCY_SUM_S
    }

    @Test
    void columnsGroupsAndUnitsMakeTheFieldList() {
        Layout l = new Layout();
        Layout.Column queue = l.add("queue_tasks", 0, 10);
        Layout.Group nb = l.group(2, k -> "nb" + k + "_");
        Layout.Repeated present = nb.flag("present");
        Layout.Repeated rate = nb.add("uplink_bps", 0, k -> 100.0 * (k + 1));
        Layout.Column energy = l.add("energy_j", 0, Double.POSITIVE_INFINITY);
        Layout.Column server = l.add("server", "index", -1, 3);
        List<Field> fields = l.fields();
        assertEquals(List.of("queue_tasks", "nb0_present", "nb0_uplink_bps", "nb1_present", "nb1_uplink_bps",
                "energy_j", "server"), fields.stream().map(Field::name).toList());
        assertEquals(List.of("tasks", "flag", "bit/s", "flag", "bit/s", "J", "index"),
                fields.stream().map(Field::unit).toList());
        assertEquals(200.0, fields.get(4).high());
        assertEquals(-1, fields.get(6).low());
        // Rows of 7 columns: row 2 starts at 14.
        assertEquals(14, queue.at(14));
        assertEquals(14 + 3, present.at(14, 1));
        assertEquals(14 + 4, rate.at(14, 1));
        assertEquals(14 + 5, energy.at(14));
        assertEquals(14 + 6, server.at(14));
    }

    @Test
    void protocolCountersFindTheirColumnsByName() {
        Layout l = new Layout();
        l.add("latency_sum_s", 0, 1);
        l.add("decided", "flag", 0, 1);
        l.add("dropped_queue_full", 0, 1);
        assertArrayEquals(new int[] {2, 0}, l.indexes(Counter.values()));
        Layout missing = new Layout();
        missing.add("latency_sum_s", 0, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> missing.indexes(Counter.values()));
        assertEquals("no field dropped_queue_full in the layout", e.getMessage());
    }

    @Test
    void aNameIsDeclaredOnceAndAGroupClosesWhenTheLayoutMovesOn() {
        Layout l = new Layout();
        l.add("cores", 0, 1);
        assertThrows(IllegalStateException.class, () -> l.add("cores", 0, 1));
        Layout.Group g = l.group(1, k -> "es" + k + "_");
        g.add("cores", 0, 1);
        l.add("jobs", 0, 1);
        assertThrows(IllegalStateException.class, () -> g.add("hz", 0, 1));
        assertEquals(List.of("cores", "es0_cores", "jobs"), l.fields().stream().map(Field::name).toList());
    }

    @Test
    void theUnitRuleReadsTheEndOfTheName() {
        assertEquals("s", Units.of("head_deadline_left_s"));
        assertEquals("J", Units.of("energy_local_j"));
        assertEquals("bytes", Units.of("radio_backlog_bytes"));
        assertEquals("Hz", Units.of("decision_target_hz"));
        assertEquals("bit/s", Units.of("es0_uplink_bps"));
        assertEquals("cycles", Units.of("decision_cycles"));
        assertEquals("cores", Units.of("cores"));
        assertEquals("cores", Units.of("busy_cores"));
        assertEquals("tasks", Units.of("dropped_deadline"));
    }
}
