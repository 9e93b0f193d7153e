package io.minidynamo.faults;

import static io.minidynamo.faults.History.Outcome.OK;
import static io.minidynamo.faults.History.Outcome.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run history survives its JSON file unchanged. */
class HistoryTest {

  @TempDir Path dir;

  @Test
  void writeRead_everySection_roundTrips() throws Exception {
    Histories h = CheckerTest.healthy();
    h.put("u", "u1", 100, 30_100, UNKNOWN);
    h.put("u", "u2", 30_200, 30_210, OK);
    h.fault("clock-skew", List.of("n2"), "+5000ms on n2", 10, 20);
    h.setting("test.clock-offset", "0ms");
    h.absent("u");
    History original = h.notConverged().build();
    Path file = dir.resolve("history.json");
    original.write(file);
    assertEquals(original, History.read(file));
  }
}
