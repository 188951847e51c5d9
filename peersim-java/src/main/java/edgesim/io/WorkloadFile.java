package edgesim.io;

import edgesim.model.TaskBounds;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * A workload file (format "pygym-workload" version 1, specified in workloads/format.py), read one line at a
 * time: plain or gzip (recognised by its magic bytes). Every line is checked; an error names the file, the
 * line and the column, as the Python reader does.
 */
public final class WorkloadFile implements Closeable {
    public static final String VERSION_LINE = "# pygym-workload 1";
    public static final String UNITS_LINE =
            "# units: arrival_s=s cycles=cycle input_bytes=byte output_bytes=byte deadline_s=s";
    public static final String HEADER_LINE =
            "arrival_s,source,task_id,cycles,input_bytes,output_bytes,deadline_s,depends_on";
    private static final String[] COLUMNS = HEADER_LINE.split(",");
    private static final Pattern TIME = Pattern.compile("[0-9]+(\\.[0-9]+)?");
    private static final Pattern INTEGER = Pattern.compile("[0-9]+");
    private static final Pattern SOURCE = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9_.:/+=@-]{1,255}");

    /** One task line. {@code deadline_s} is infinite when the line gives none. */
    public record Row(int line, double arrival_s, String source, String taskId, double cycles, double inputBytes,
            double outputBytes, double deadline_s, List<String> dependsOn) {
    }

    /**
     * What a full pass over a file found: its size, its span, the tasks that others depend on and the largest
     * task (a looped file repeats its tasks shifted in time, so this holds for every pass).
     */
    public record Summary(long rows, double firstArrival_s, double lastArrival_s, Set<String> referenced,
            TaskBounds largest) {
    }

    private final String name;
    private final BufferedReader reader;
    private int line;
    private double lastArrival = 0;

    /** Opens {@code path} and checks its three header lines. */
    public WorkloadFile(Path path) {
        this.name = path.toString();
        try {
            InputStream in = new BufferedInputStream(Files.newInputStream(path));
            in.mark(2);
            int b0 = in.read();
            int b1 = in.read();
            in.reset();
            if (b0 == 0x1f && b1 == 0x8b) {
                in = new GZIPInputStream(in, 1 << 16);
            }
            reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read workload file " + name + ": " + IoFailure.reason(e));
        }
        String first = readLine();
        if (first == null || !first.startsWith("# pygym-workload ")) {
            throw error(1, "line 1 must be '" + VERSION_LINE + "' (is this a pygym workload file?)");
        }
        if (!first.equals(VERSION_LINE)) {
            throw error(1, "unsupported version '" + Excerpt.of(first.substring(17)) + "' (this simulator reads version 1)");
        }
        if (!UNITS_LINE.equals(readLine())) {
            throw error(2, "line 2 must be '" + UNITS_LINE + "'");
        }
        String header;
        do {
            header = readLine();
        } while (header != null && header.startsWith("#"));
        if (!HEADER_LINE.equals(header)) {
            throw error(line, "the column header must be '" + HEADER_LINE + "'");
        }
    }

    /** The next task, or null at the end of the file. */
    public Row next() {
        String text = readLine();
        if (text == null) {
            return null;
        }
        String[] f = text.split(",", -1);
        if (f.length != COLUMNS.length) {
            throw error(line, "expected " + COLUMNS.length + " comma-separated fields, found " + f.length);
        }
        double arrival = time(f[0], 0);
        if (arrival < lastArrival) {
            throw column(0, "arrival_s " + Excerpt.of(f[0]) + " is earlier than the line before (" + lastArrival
                    + "); lines must be sorted by arrival_s");
        }
        lastArrival = arrival;
        if (!SOURCE.matcher(f[1]).matches()) {
            throw column(1, "'" + Excerpt.of(f[1]) + "' is not a node name");
        }
        if (!TASK_ID.matcher(f[2]).matches()) {
            throw column(2, "'" + Excerpt.of(f[2]) + "' is not a task id");
        }
        double cycles = integer(f[3], 3);
        if (cycles < 1) {
            throw column(3, "cycles must be at least 1");
        }
        double deadline = f[6].isEmpty() ? Double.POSITIVE_INFINITY : time(f[6], 6);
        if (deadline < arrival) {
            throw column(6, "deadline_s " + Excerpt.of(f[6]) + " is before arrival_s " + Excerpt.of(f[0]));
        }
        List<String> deps = f[7].isEmpty() ? List.of() : List.of(f[7].split(";", -1));
        for (String d : deps) {
            if (!TASK_ID.matcher(d).matches()) {
                throw column(7, "'" + Excerpt.of(d) + "' is not a task id");
            }
        }
        return new Row(line, arrival, f[1], f[2], cycles, integer(f[4], 4), integer(f[5], 5), deadline, deps);
    }

    /**
     * Reads the whole file once: every line checked, every source known to {@code nodes}, task ids unique
     * and dependencies on earlier lines. Memory grows with the number of task ids, for this pass only.
     */
    public static Summary scan(Path path, Set<String> nodes) {
        return scan(path, nodes, "node");
    }

    /**
     * As {@link #scan(Path, Set)}, for a scenario whose tasks may come from only some of its nodes:
     * {@code nodes} are their names and {@code what} says what they are in the error ("device").
     */
    public static Summary scan(Path path, Set<String> nodes, String what) {
        try (WorkloadFile file = new WorkloadFile(path)) {
            Map<String, Integer> seen = new HashMap<>();
            Set<String> referenced = new HashSet<>();
            long rows = 0;
            double first = Double.NaN;
            double last = 0;
            TaskBounds largest = TaskBounds.NONE;
            for (Row r = file.next(); r != null; r = file.next()) {
                if (!nodes.contains(r.source())) {
                    throw file.error(r.line(), "column 2 (source): no " + what + " named '" + Excerpt.of(r.source())
                            + "' in this scenario (the first unknown source)");
                }
                Integer before = seen.putIfAbsent(r.taskId(), r.line());
                if (before != null) {
                    throw file.error(r.line(), "column 3 (task_id): '" + Excerpt.of(r.taskId()) + "' repeats line " + before);
                }
                for (String d : r.dependsOn()) {
                    if (!seen.containsKey(d) || d.equals(r.taskId())) {
                        throw file.error(r.line(), "column 8 (depends_on): '" + Excerpt.of(d)
                                + "' is not a task on an earlier line");
                    }
                    referenced.add(d);
                }
                if (rows++ == 0) {
                    first = r.arrival_s();
                }
                last = r.arrival_s();
                largest = largest.max(new TaskBounds(r.cycles(), r.inputBytes(), r.outputBytes(),
                        r.deadline_s() - r.arrival_s()));
            }
            if (rows == 0) {
                throw new IllegalArgumentException(path + ": the workload has no tasks");
            }
            return new Summary(rows, first, last, Set.copyOf(referenced), largest);
        }
    }

    private double time(String text, int col) {
        if (!TIME.matcher(text).matches()) {
            throw column(col, "'" + Excerpt.of(text) + "' is not a time in seconds");
        }
        return Double.parseDouble(text);
    }

    private double integer(String text, int col) {
        if (!INTEGER.matcher(text).matches() || text.length() > 19) {
            throw column(col, "'" + Excerpt.of(text) + "' is not a non-negative integer");
        }
        return Double.parseDouble(text);
    }

    private String readLine() {
        try {
            String text = reader.readLine();
            if (text != null) {
                line++;
                if (text.endsWith("\r")) {
                    text = text.substring(0, text.length() - 1);
                }
            }
            return text;
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ":" + (line + 1) + ": cannot read: " + IoFailure.reason(e));
        }
    }

    private IllegalArgumentException column(int col, String message) {
        return error(line, "column " + (col + 1) + " (" + COLUMNS[col] + "): " + message);
    }

    private IllegalArgumentException error(int at, String message) {
        return new IllegalArgumentException(name + ":" + at + ": " + message);
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
