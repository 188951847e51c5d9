package edgesim.scenario;

import edgesim.engine.Simulation;
import java.util.ArrayList;
import java.util.List;

/**
 * What a scenario exposes to a learner: agent ids (and the index of each agent's node), the fields of each
 * vector in a step's output, the actions (discrete choices with their meaning, or a continuous vector with
 * named bounded fields), and the timing. The bridge publishes it through describe. When
 * {@code stateIsObservations} is set, the state is every agent's observation concatenated in agent order, so
 * frames do not carry it twice (Python builds it as a view of the observations). Scenarios make theirs with
 * {@link #builder}, from their {@link Layout}s.
 */
public record Spec(
        String envId,
        List<String> agents,
        List<Integer> agentNodes,
        List<Field> observation,
        List<String> actionMeanings,
        List<Field> continuousActions,
        List<Field> metrics,
        List<Field> state,
        List<String> taskRecord,
        double epoch_s,
        int maxSteps,
        boolean stateIsObservations) {

    /** A spec whose state is its own list of fields (not the agents' observations concatenated). */
    public Spec(String envId, List<String> agents, List<Integer> agentNodes, List<Field> observation,
            List<String> actionMeanings, List<Field> continuousActions, List<Field> metrics, List<Field> state,
            List<String> taskRecord, double epoch_s, int maxSteps) {
        this(envId, agents, agentNodes, observation, actionMeanings, continuousActions, metrics, state, taskRecord,
                epoch_s, maxSteps, false);
    }

    /** Number of discrete actions (0 when actions are continuous). */
    public int actionCount() {
        return actionMeanings.size();
    }

    /** Whether each agent's action is a vector of floats ({@link #continuousActions}) instead of one choice. */
    public boolean continuous() {
        return !continuousActions.isEmpty();
    }

    /** Values in one agent's action: 1 for a discrete choice, else the length of the continuous vector. */
    public int actionDim() {
        return continuous() ? continuousActions.size() : 1;
    }

    /** A spec for {@code envId}, field lists from layouts; without a state layout the state is the observations. */
    public static Builder builder(String envId) {
        return new Builder(envId);
    }

    /** Builds a {@link Spec}; every part but the state and the task record must be given. */
    public static final class Builder {
        private final String envId;
        private List<String> agents;
        private List<Integer> agentNodes;
        private Layout observation;
        private List<String> actionMeanings = List.of();
        private List<Field> continuousActions = List.of();
        private Layout metrics;
        private Layout state;
        private List<String> taskRecord = List.of();
        private double epoch_s = Double.NaN;
        private int maxSteps;

        private Builder(String envId) {
            this.envId = envId;
        }

        /** Agents with their own ids, living on {@code nodes}. */
        public Builder agents(List<String> ids, List<Integer> nodes) {
            this.agents = List.copyOf(ids);
            this.agentNodes = List.copyOf(nodes);
            return this;
        }

        /** The first {@code count} nodes of {@code sim} are the agents, named as their nodes. */
        public Builder agentNodes(Simulation sim, int count) {
            List<String> ids = new ArrayList<>();
            List<Integer> nodes = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ids.add(sim.node(i).name());
                nodes.add(i);
            }
            return agents(ids, nodes);
        }

        public Builder observation(Layout layout) {
            this.observation = layout;
            return this;
        }

        /** Discrete actions: one choice per agent, each with its meaning. */
        public Builder actions(List<String> meanings) {
            this.actionMeanings = List.copyOf(meanings);
            return this;
        }

        /** Continuous actions: one vector per agent, its fields bounded. */
        public Builder continuousActions(List<Field> fields) {
            this.continuousActions = List.copyOf(fields);
            return this;
        }

        public Builder metrics(Layout layout) {
            this.metrics = layout;
            return this;
        }

        /** A global state of its own (without one, the state is the agents' observations concatenated). */
        public Builder state(Layout layout) {
            this.state = layout;
            return this;
        }

        public Builder taskRecord(List<String> fields) {
            this.taskRecord = List.copyOf(fields);
            return this;
        }

        /** Seconds between decisions and the most steps an episode takes. */
        public Builder timing(double epoch_s, int maxSteps) {
            this.epoch_s = epoch_s;
            this.maxSteps = maxSteps;
            return this;
        }

        public Spec build() {
            if (agents == null || observation == null || metrics == null || Double.isNaN(epoch_s)
                    || actionMeanings.isEmpty() == continuousActions.isEmpty()) {
                throw new IllegalStateException(envId + ": a spec needs agents, an observation, one kind of "
                        + "action, metrics and timing");
            }
            List<Field> obs = observation.fields();
            if (state != null) {
                return new Spec(envId, agents, agentNodes, obs, actionMeanings, continuousActions,
                        metrics.fields(), state.fields(), taskRecord, epoch_s, maxSteps, false);
            }
            List<Field> concatenated = new ArrayList<>();
            for (String agent : agents) {
                for (Field f : obs) {
                    concatenated.add(new Field(agent + "." + f.name(), f.unit(), f.low(), f.high()));
                }
            }
            return new Spec(envId, agents, agentNodes, obs, actionMeanings, continuousActions, metrics.fields(),
                    List.copyOf(concatenated), taskRecord, epoch_s, maxSteps, true);
        }
    }
}
