package io.minidynamo.faults;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything one fault-injection run did and saw: the contract between the runner (which records
 * it) and the checker and report (which only read it). Written as one JSON file per run.
 *
 * <p>Times are microseconds since the run started ({@link Run#startedAtEpochMillis}). Every value
 * a client writes is unique across the run, so a value read back names the write that produced it.
 *
 * @param run what was run: seed, nodes, mode, quorum settings
 * @param operations every client request, in the order they were issued
 * @param faults every fault the nemesis injected, with the window it was active
 * @param finalReads after healing and convergence: each replica's own record of each key
 *     ({@code POST /internal/get} on every node of the key's preference list)
 * @param convergence how waiting for convergence went
 */
public record History(
    Run run,
    List<Operation> operations,
    List<Fault> faults,
    List<FinalRead> finalReads,
    Convergence convergence) {

  public History {
    operations = List.copyOf(operations);
    faults = List.copyOf(faults);
    finalReads = List.copyOf(finalReads);
  }

  /**
   * @param seed the seed of the nemesis schedule and the workload
   * @param mode {@code short}, {@code long} or a custom name
   * @param network {@code namespaces} (partitions possible) or {@code loopback} (process faults only)
   * @param nodes node id to its HTTP base URL
   * @param n replicas per key
   * @param r read quorum
   * @param w write quorum
   * @param startedAtEpochMillis wall-clock time of time 0
   * @param durationMicros how long the workload ran
   * @param settings node settings that differ from the defaults (e.g. a broken self-test setting)
   */
  public record Run(
      long seed,
      String mode,
      String network,
      Map<String, String> nodes,
      int n,
      int r,
      int w,
      long startedAtEpochMillis,
      long durationMicros,
      Map<String, String> settings) {
    public Run {
      nodes = Map.copyOf(nodes);
      settings = Map.copyOf(settings);
    }
  }

  /** Which kind of client issued an operation; the checker applies different rules to each. */
  public enum WorkerKind {
    /** Writes (and reads) its own keys one request at a time; no other worker touches them. */
    SEQUENTIAL,
    /** Writes and reads keys shared with other contending workers; LWW may drop some writes. */
    CONTENDED,
    /** Writes then deletes its own keys one request at a time, reading in between. */
    DELETER
  }

  public enum OpKind { PUT, GET, DELETE }

  /**
   * What the client knows about an operation's effect.
   *
   * <ul>
   *   <li>{@code OK}: acknowledged (2xx; for a GET also 404, which is an answer).
   *   <li>{@code FAILED}: certainly not applied anywhere (refused before it was sent: connection
   *       refused, or a 4xx the node returns before coordinating).
   *   <li>{@code UNKNOWN}: may or may not have been applied (timeout, 503 quorum missed, connection
   *       reset after sending). A Dynamo write that missed W may still be on some replicas.
   * </ul>
   */
  public enum Outcome { OK, FAILED, UNKNOWN }

  /**
   * One client request.
   *
   * @param id unique, increasing in issue order
   * @param worker the worker's number
   * @param workerKind what kind of worker issued it
   * @param kind PUT, GET or DELETE
   * @param key the key
   * @param value for PUT the value written (unique in the run); for a GET that found the key the
   *     value read; otherwise null
   * @param node the node the request was sent to
   * @param startMicros when it was sent
   * @param endMicros when its answer (or failure) arrived
   * @param outcome see {@link Outcome}
   * @param status HTTP status, or 0 if there was none
   * @param error the failure, for FAILED and UNKNOWN; null when OK
   */
  public record Operation(
      long id,
      int worker,
      WorkerKind workerKind,
      OpKind kind,
      String key,
      String value,
      String node,
      long startMicros,
      long endMicros,
      Outcome outcome,
      int status,
      String error) {}

  /**
   * One injected fault. Kinds: {@code kill} (kill -9, restart at the end of the window),
   * {@code pause} (SIGSTOP / SIGCONT), {@code partition-isolate}, {@code partition-halves},
   * {@code partition-bridge}, {@code clock-skew}.
   *
   * @param id unique, increasing
   * @param kind the kind, as above
   * @param nodes the nodes it acted on (for partitions: the description says the sides)
   * @param description human-readable, e.g. "n1,n2 | n3" or "+5s on n2"
   * @param startMicros when it was injected
   * @param endMicros when it was healed (the run's end if it never was)
   */
  public record Fault(
      long id,
      String kind,
      List<String> nodes,
      String description,
      long startMicros,
      long endMicros) {
    public Fault {
      nodes = List.copyOf(nodes);
    }
  }

  /**
   * One replica's own copy of a key after the run, read with {@code POST /internal/get}.
   *
   * @param key the key
   * @param node the replica asked
   * @param reachable false if the node could not be asked (then the other fields are empty)
   * @param found whether the replica holds a record (a tombstone counts as found)
   * @param value the value (UTF-8 decoded), null for a tombstone or when not found
   * @param deleted whether the record is a tombstone
   * @param timestamp the record's version timestamp (µs), 0 when not found
   * @param writer the record's writer id, null when not found
   */
  public record FinalRead(
      String key,
      String node,
      boolean reachable,
      boolean found,
      String value,
      boolean deleted,
      long timestamp,
      String writer) {}

  /**
   * @param converged whether every replica of every key agreed before the deadline
   * @param waitedMicros how long the runner waited after healing
   * @param deadlineMicros the deadline it was given
   */
  public record Convergence(boolean converged, long waitedMicros, long deadlineMicros) {}

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public void write(Path file) throws IOException {
    MAPPER.writeValue(file.toFile(), this);
  }

  public static History read(Path file) throws IOException {
    return MAPPER.readValue(file.toFile(), History.class);
  }
}
