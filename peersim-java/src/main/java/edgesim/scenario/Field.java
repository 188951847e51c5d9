package edgesim.scenario;

/** One named value in an observation, metric or state vector, with its unit and bounds. */
public record Field(String name, String unit, double low, double high) {
}
