package edgesim.bridge;

import edgesim.scenario.ActionException;
import edgesim.scenario.ResetNeeded;
import edgesim.scenario.Scenario;

/**
 * One environment instance on the server: a scenario plus its frame codec. Calls on one session are
 * serialised; different sessions run independently. After an unexpected exception the session refuses to
 * step until it is reset, since its simulation is in an unknown state.
 */
final class Session {
    private final Scenario scenario;
    private final Frames frames;
    private String failure;

    Session(Scenario scenario) {
        this.scenario = scenario;
        this.frames = new Frames(scenario.spec());
    }

    Scenario scenario() {
        return scenario;
    }

    synchronized byte[] reset(long seed) {
        failure = null;
        try {
            scenario.reset(seed);
        } catch (RuntimeException e) {
            failure = e.toString();
            throw e;
        }
        return frames.encode(scenario.output());
    }

    synchronized byte[] step(byte[] actionFrame) {
        if (failure != null) {
            throw new ResetNeeded("this session failed earlier (" + failure + "); reset it to continue");
        }
        int[] discrete = frames.continuous() ? null : frames.decodeActions(actionFrame);
        float[] continuous = frames.continuous() ? frames.decodeContinuousActions(actionFrame) : null;
        try {
            if (continuous != null) {
                scenario.stepContinuous(continuous);
            } else {
                scenario.step(discrete);
            }
        } catch (ActionException | ResetNeeded e) {
            throw e;
        } catch (RuntimeException e) {
            failure = e.toString();
            throw e;
        }
        return frames.encode(scenario.output());
    }

    String describe(int id) {
        return Frames.describe(scenario.spec(), id, scenario.configText());
    }
}
