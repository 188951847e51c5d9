package edgesim.protocol.mec;

import edgesim.model.MecJob;
import java.util.ArrayList;
import java.util.List;

/** Records, in order, the jobs whose upload, computation or result return finished. */
final class JobLog implements MecJob.Listener {
    final List<MecJob> uploaded = new ArrayList<>();
    final List<MecJob> computed = new ArrayList<>();
    final List<MecJob> returned = new ArrayList<>();

    @Override
    public void uploaded(MecJob job) {
        uploaded.add(job);
    }

    @Override
    public void computed(MecJob job) {
        computed.add(job);
    }

    @Override
    public void returned(MecJob job) {
        returned.add(job);
    }
}
