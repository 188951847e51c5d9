package edgesim.scenario;

/**
 * The unit of a field, read from the end of its name: the one rule of every scenario's fields. A field whose
 * name carries no unit counts tasks ({@code arrived}, {@code dropped_queue_full}, {@code free_slots}); a field
 * whose unit its name cannot say (a flag, an index, a normalised value) states it where it is declared.
 */
public final class Units {
    private static final String[][] SUFFIXES = {
        {"_s", "s"}, {"_j", "J"}, {"_bytes", "bytes"}, {"_hz", "Hz"}, {"_bps", "bit/s"}, {"_cycles", "cycles"},
        {"cores", "cores"}};

    private Units() {
    }

    /** The unit of the field {@code name}. */
    public static String of(String name) {
        for (String[] suffix : SUFFIXES) {
            if (name.endsWith(suffix[0])) {
                return suffix[1];
            }
        }
        return "tasks";
    }
}
