package edgesim.model;

/**
 * The largest task a source can produce: CPU cycles, input and result bytes, and the relative deadline
 * (seconds from arrival to deadline; infinite when some task has none). Observation bounds come from it.
 */
public record TaskBounds(double cycles, double inputBytes, double outputBytes, double relativeDeadline_s) {
    /** A source that produces no task. */
    public static final TaskBounds NONE = new TaskBounds(0, 0, 0, 0);

    /** The bounds of a scenario with both sources. */
    public TaskBounds max(TaskBounds other) {
        return new TaskBounds(Math.max(cycles, other.cycles), Math.max(inputBytes, other.inputBytes),
                Math.max(outputBytes, other.outputBytes), Math.max(relativeDeadline_s, other.relativeDeadline_s));
    }
}
