package edgesim.scenario.mec;

import edgesim.config.ConfigReader;
import java.util.ArrayList;
import java.util.List;

/**
 * One of the parameter tables published with ExplabOff (huzheyuan740/ExplabOff: config.py for 2 servers and
 * 3 devices, config_5.py for 2/5, config_bs37.py for 3/7), resolved from the scenario keys {@code setting},
 * {@code n_servers}, {@code n_devices} and {@code server_capacities}. Sizes are the release's abstract "size
 * units" (a size is its own computational load), capacities are size units per second, times are seconds.
 * Per-class rows (size mean, deadline) follow a device's shuffled class; per-device rows (upload time,
 * switch time) follow the device index, as in the release.
 */
public record ExplabOffSetting(
        String name,
        int servers,
        int devices,
        double[] serverCapacity,
        double deviceCapacity,
        double[] classSizeMean,
        double[] classDeadline_s,
        double[][] upload_s,
        double[][] switch_s) {

    /** Normaliser of the server capacities (the release's {@code base_station_computing_ability_max}). */
    public static final double CAPACITY_SCALE = 25.0;
    /** Normaliser of the device capacity ({@code mobile_device_ability_max}). */
    public static final double DEVICE_CAPACITY_SCALE = 3.0;
    /** Normaliser of task sizes ({@code task_data_size_max}). */
    public static final double SIZE_SCALE = 20.0;
    /** Normaliser of deadlines ({@code task_tolerance_delay_max}). */
    public static final double DEADLINE_SCALE = 5.0;
    /** Normaliser of upload times ({@code transmitting_time_to_base_station_max}). */
    public static final double UPLOAD_SCALE = 0.5;

    /** @config one of {@link #NAMES} or {@code auto} (the table matching n_servers and n_devices). */
    public static final String PAR_SETTING = "setting";
    /** @config number of edge servers, or {@code auto} (from the setting). */
    public static final String PAR_SERVERS = "n_servers";
    /** @config number of mobile devices (the agents), or {@code auto} (from the setting). */
    public static final String PAR_DEVICES = "n_devices";
    /** @config server capacities as comma-separated numbers, or {@code auto} (the setting's). */
    public static final String PAR_CAPACITIES = "server_capacities";

    public static final String AUTO = "auto";
    /** The published settings, "servers x devices", in the order {@code auto} prefers them. */
    public static final List<String> NAMES = List.of("2x3", "2x5", "3x7");

    /** The published table {@code name} (one of {@link #NAMES}). */
    public static ExplabOffSetting published(String name) {
        return switch (name) {
            case "2x3" -> new ExplabOffSetting("2x3", 2, 3, new double[] {6.0, 12.0}, 1.0,
                    new double[] {7, 6, 3},
                    new double[] {1.808, 1.806, 1.805},
                    new double[][] {{0.3011, 0.303}, {0.3021, 0.302}, {0.3031, 0.301}},
                    new double[][] {{0.101, 0.102}, {0.103, 0.104}, {0.105, 0.106}});
            case "2x5" -> new ExplabOffSetting("2x5", 2, 5, new double[] {10.0, 19.0}, 1.0,
                    new double[] {7, 6, 3, 4, 5},
                    new double[] {2.208, 2.206, 2.205, 2.206, 2.205},
                    new double[][] {{0.3011, 0.303}, {0.3021, 0.302}, {0.3031, 0.301}, {0.3021, 0.302},
                        {0.3031, 0.301}},
                    new double[][] {{0.101, 0.102}, {0.103, 0.104}, {0.105, 0.106}, {0.101, 0.102},
                        {0.103, 0.104}});
            // ES 2's capacity is 26 as config_bs37.py lists it; the release leaves the line that applies it
            // commented out, so ES 2 runs at 25 there (server_capacities 10,19,25 reproduces that).
            case "3x7" -> new ExplabOffSetting("3x7", 3, 7, new double[] {10.0, 19.0, 26.0}, 1.0,
                    new double[] {7, 6, 3, 4, 5, 4.5, 5.5},
                    new double[] {2.208, 2.206, 2.205, 2.206, 2.205, 2.206, 2.205},
                    new double[][] {{0.3011, 0.303, 0.302}, {0.3021, 0.302, 0.301}, {0.3031, 0.301, 0.302},
                        {0.3021, 0.302, 0.303}, {0.3031, 0.301, 0.302}, {0.3021, 0.302, 0.301},
                        {0.3031, 0.301, 0.302}},
                    new double[][] {{0.101, 0.102, 0.103}, {0.103, 0.104, 0.102}, {0.105, 0.106, 0.104},
                        {0.101, 0.102, 0.103}, {0.103, 0.104, 0.105}, {0.103, 0.104, 0.102},
                        {0.105, 0.106, 0.104}});
            default -> throw new IllegalArgumentException("no published ExplabOff setting '" + name + "'");
        };
    }

    /**
     * The table selected by {@code setting}, {@code n_servers} and {@code n_devices} under {@code env}, with
     * {@code server_capacities} applied. A named setting fixes both counts (each may be auto or equal to it);
     * with {@code setting auto} the counts pick the table (the first in {@link #NAMES} that matches). Throws
     * ConfigException naming the key, its value and the tables that exist.
     */
    public static ExplabOffSetting resolve(ConfigReader env) {
        List<String> choices = new ArrayList<>(NAMES);
        choices.add(0, AUTO);
        String setting = env.getChoice(PAR_SETTING, choices.toArray(new String[0]));
        int servers = count(env, PAR_SERVERS);
        int devices = count(env, PAR_DEVICES);
        ExplabOffSetting table;
        if (!setting.equals(AUTO)) {
            table = published(setting);
            env.require(servers < 0 || servers == table.servers, PAR_SERVERS,
                    "auto or " + table.servers + " (setting " + setting + " has " + table.servers + " servers)");
            env.require(devices < 0 || devices == table.devices, PAR_DEVICES,
                    "auto or " + table.devices + " (setting " + setting + " has " + table.devices + " devices)");
        } else {
            table = null;
            for (String name : NAMES) {
                ExplabOffSetting t = published(name);
                if ((servers < 0 || servers == t.servers) && (devices < 0 || devices == t.devices)) {
                    table = t;
                    break;
                }
            }
            if (table == null) {
                String key = devices >= 0 ? PAR_DEVICES : PAR_SERVERS;
                env.require(false, key, "a count with a published ExplabOff parameter table (n_servers = "
                        + (servers < 0 ? AUTO : servers) + ", n_devices = " + (devices < 0 ? AUTO : devices)
                        + " has none); tables exist for " + describeAll());
            }
        }
        return table.withCapacities(capacities(env, table));
    }

    /** "2x3 (2 servers, 3 devices), ..." for error messages. */
    public static String describeAll() {
        List<String> parts = new ArrayList<>();
        for (String name : NAMES) {
            ExplabOffSetting t = published(name);
            parts.add(name + " (" + t.servers + " servers, " + t.devices + " devices)");
        }
        return String.join(", ", parts);
    }

    private static int count(ConfigReader env, String key) {
        if (env.getString(key).equals(AUTO)) {
            return -1;
        }
        return env.getInt(key, 1, 1024);
    }

    private static double[] capacities(ConfigReader env, ExplabOffSetting table) {
        String value = env.getString(PAR_CAPACITIES);
        if (value.equals(AUTO)) {
            return table.serverCapacity.clone();
        }
        String expected = "auto or " + table.servers + " comma-separated capacities > 0 (size units per second),"
                + " one per server of setting " + table.name;
        String[] parts = value.split(",", -1);
        env.require(parts.length == table.servers, PAR_CAPACITIES, expected);
        double[] out = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            double v;
            try {
                v = Double.parseDouble(parts[i].strip());
            } catch (NumberFormatException e) {
                v = Double.NaN;
            }
            env.require(Double.isFinite(v) && v > 0, PAR_CAPACITIES, expected);
            out[i] = v;
        }
        return out;
    }

    private ExplabOffSetting withCapacities(double[] capacities) {
        return new ExplabOffSetting(name, servers, devices, capacities, deviceCapacity, classSizeMean,
                classDeadline_s, upload_s, switch_s);
    }
}
