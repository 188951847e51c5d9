package edgesim.scenario;

import java.util.List;

/**
 * What a scenario exposes to a learner: agent ids (and the index of each agent's node), the fields of each
 * vector in a step's output, the actions (discrete choices with their meaning, or a continuous vector with
 * named bounded fields), and the timing. The bridge publishes it through describe. When
 * {@code stateIsObservations} is set, the state is every agent's observation concatenated in agent order, so
 * frames do not carry it twice (Python builds it as a view of the observations).
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
}
