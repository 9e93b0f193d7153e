package io.minidynamo.faults;

import io.minidynamo.faults.NemesisSchedule.Step;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

/**
 * Carries out a {@link NemesisSchedule} against the run's nodes and network on its own thread, one
 * fault at a time, recording each as a {@link History.Fault} from injection until it is healed. A
 * fault's window ends when its effect is gone: a killed node is healthy again, a skewed node has been
 * restarted without skew, a partition's rules are dropped.
 *
 * <p>The plan's times are targets: a fault starts at its planned time or, when the previous one
 * healed late (a node slow to restart), as soon as that one is healed, and lasts its planned
 * duration; a fault whose whole planned window has passed by then is skipped and said so.
 */
final class Nemesis {
  private final List<Step> plan;
  private final NodeProcesses nodes;
  private final ClusterNetwork network;
  private final Recorder recorder;
  private final PrintStream log;
  private final Object lock = new Object();
  private boolean finishing;
  private Thread thread;
  private volatile Throwable failure;

  Nemesis(List<Step> plan, NodeProcesses nodes, ClusterNetwork network, Recorder recorder, PrintStream log) {
    this.plan = List.copyOf(plan);
    this.nodes = nodes;
    this.network = network;
    this.recorder = recorder;
    this.log = log;
  }

  void start() {
    thread = new Thread(this::runPlan, "faults-nemesis");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Starts no further fault, heals the one in progress at once, and waits until it is healed.
   *
   * @throws IllegalStateException if injecting or healing a fault failed
   */
  void finish() throws InterruptedException {
    synchronized (lock) {
      finishing = true;
      lock.notifyAll();
    }
    thread.join();
    if (failure != null) {
      throw new IllegalStateException("nemesis failed: " + failure, failure);
    }
  }

  private void runPlan() {
    try {
      for (Step step : plan) {
        if (!waitUntil(step.atMillis() * 1_000)) {
          return;
        }
        long start = recorder.nowMicros();
        if (start > (step.atMillis() + step.durationMillis()) * 1_000) {
          // the previous fault healed late (a slow restart): this one's whole window has passed
          log.printf("faults: t=%.1fs skipped %s planned at %.1fs (the previous fault healed late)%n",
              start / 1e6, step.kind(), step.atMillis() / 1e3);
          continue;
        }
        log.printf("faults: t=%.1fs inject %s: %s%n", start / 1e6, step.kind(), step.description());
        inject(step);
        waitUntil(Math.max(start, step.atMillis() * 1_000) + step.durationMillis() * 1_000);
        heal(step);
        long end = recorder.nowMicros();
        log.printf("faults: t=%.1fs healed %s%n", end / 1e6, step.kind());
        recorder.record(new History.Fault(
            recorder.nextFaultId(), step.kind(), step.nodes(), step.description(), start, end));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      failure = e;
    }
  }

  /** Sleeps until {@code micros} of the run; false (early) once the run is finishing. */
  private boolean waitUntil(long micros) throws InterruptedException {
    synchronized (lock) {
      while (!finishing) {
        long left = micros - recorder.nowMicros();
        if (left <= 0) {
          return true;
        }
        lock.wait(Math.max(1, left / 1_000));
      }
      return false;
    }
  }

  private void inject(Step step) throws IOException, InterruptedException {
    String one = step.nodes().get(0);
    switch (step.kind()) {
      case NemesisSchedule.KILL -> nodes.kill(one);
      case NemesisSchedule.PAUSE -> nodes.pause(one);
      case NemesisSchedule.KILL_ALL -> nodes.killAll();
      case NemesisSchedule.CLOCK_SKEW -> {
        nodes.stop(one);
        nodes.launch(one, List.of("-Dmini-dynamo.test.clock-offset=" + step.clockOffsetMillis() + "ms"));
        nodes.awaitHealthy(one);
      }
      default -> network.cut(step.cutPairs());
    }
  }

  private void heal(Step step) throws IOException, InterruptedException {
    String one = step.nodes().get(0);
    switch (step.kind()) {
      case NemesisSchedule.KILL -> {
        nodes.launch(one, List.of());
        nodes.awaitHealthy(one);
      }
      case NemesisSchedule.PAUSE -> nodes.resume(one);
      case NemesisSchedule.KILL_ALL -> {
        for (String id : step.nodes()) {
          nodes.launch(id, List.of());
        }
        for (String id : step.nodes()) {
          nodes.awaitHealthy(id);
        }
      }
      case NemesisSchedule.CLOCK_SKEW -> {
        nodes.stop(one);
        nodes.launch(one, List.of());
        nodes.awaitHealthy(one);
      }
      default -> network.healPartitions();
    }
  }
}
