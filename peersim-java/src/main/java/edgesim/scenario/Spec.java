package edgesim.scenario;

import java.util.List;

/**
 * What a scenario exposes to a learner: agent ids (and the index of each agent's node), the fields of each vector in a step's output, the number
 * of discrete actions and their meaning, and the timing. The bridge publishes it through describe.
 */
public record Spec(
        String envId,
        List<String> agents,
        List<Integer> agentNodes,
        List<Field> observation,
        List<String> actionMeanings,
        List<Field> metrics,
        List<Field> state,
        List<String> taskRecord,
        double epoch_s,
        int maxSteps) {

    public int actionCount() {
        return actionMeanings.size();
    }
}
