package edgesim.scenario;

import java.util.List;

/** Values of a scenario's last output found by field name, through its spec (as Python finds them). */
public final class Outputs {
    private Outputs() {
    }

    /** Metric {@code name} of agent {@code agent}. */
    public static double metric(Scenario s, int agent, String name) {
        List<String> names = s.spec().metrics().stream().map(Field::name).toList();
        return s.output().metrics[agent * names.size() + index(names, name)];
    }

    /** Field {@code name} of task record {@code r}. */
    public static double record(Scenario s, int r, String name) {
        List<String> names = s.spec().taskRecord();
        return s.output().taskRecords[r * names.size() + index(names, name)];
    }

    /** Where field {@code name} is in {@code names}; IllegalArgumentException if it is not there. */
    public static int index(List<String> names, String name) {
        int i = names.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no field " + name + " in " + names);
        }
        return i;
    }
}
