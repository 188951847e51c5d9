package edgesim.testing;

import edgesim.config.ConfigReader;
import edgesim.engine.ComponentTypes;
import edgesim.engine.Control;
import edgesim.engine.Simulation;

/**
 * A control that throws when it runs: a deliberate Java exception inside a session, to check that errors
 * reach Python by name and leave the server's other sessions running. Schedule it with
 * {@code control.fault FaultInjector}, {@code control.fault.from_s}, {@code control.fault.step_s}.
 */
public final class FaultInjector implements Control {
    /** @config text of the exception (default "injected fault"). */
    public static final String PAR_MESSAGE = "message";

    public static final ComponentTypes.ControlType TYPE = FaultInjector::new;

    private final Simulation sim;
    private final String message;

    public FaultInjector(ConfigReader config, Simulation sim) {
        this.sim = sim;
        this.message = config.getString(PAR_MESSAGE, "injected fault");
    }

    @Override
    public void execute() {
        throw new IllegalStateException(message + " at t=" + sim.now() + " s");
    }
}
