package io.switchboard.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The steady state waits until every JVM's JIT compilers are quiet in the same check, or the
 * timeout.
 */
class WarmUpTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void waitsUntilTheCompilersTakeAtMostATenthOfTheCpu() throws Exception {
    // Each check: the process used 2 s of CPU; the compilers 1.2 s, then 0.5 s, then 0.2 s.
    Scripted node = new Scripted(List.of(cpu(0, 0), cpu(2, 1.2), cpu(4, 1.7), cpu(6, 1.9)));
    List<Duration> pauses = new ArrayList<>();

    WarmUp.Result result = WarmUp.await(List.of(1L), Duration.ofMinutes(10), node, pauses::add);

    assertTrue(result.quiet());
    assertEquals(Duration.ofSeconds(30), result.waited(), "three checks of 10 s");
    assertEquals(List.of(WarmUp.CHECK, WarmUp.CHECK, WarmUp.CHECK), pauses);
  }

  @Test
  void everyJvmMustBeQuietInTheSameCheck() throws Exception {
    // The first node is quiet in the first check only, the second in the second only; both in the
    // third.
    Scripted first = new Scripted(List.of(cpu(0, 0), cpu(2, 0), cpu(4, 1), cpu(6, 1)));
    Scripted second = new Scripted(List.of(cpu(0, 0), cpu(2, 1), cpu(4, 1), cpu(6, 1)));

    WarmUp.Result result =
        WarmUp.await(
            List.of(1L, 2L),
            Duration.ofMinutes(10),
            byPid(Map.of(1L, first, 2L, second)),
            pause -> {});

    assertTrue(result.quiet());
    assertEquals(Duration.ofSeconds(30), result.waited());
  }

  @Test
  void theTimeoutEndsTheWaitOfJvmsThatNeverGoQuiet() throws Exception {
    WarmUp.Probe busy = new Busy();

    WarmUp.Result result = WarmUp.await(List.of(1L), Duration.ofSeconds(40), busy, pause -> {});

    assertFalse(result.quiet());
    assertEquals(Duration.ofSeconds(40), result.waited());
  }

  @Test
  void quietAtATenthAndWhenTheProcessDidNothing() {
    assertTrue(WarmUp.isQuiet(cpu(0, 0), cpu(10, 1)), "exactly a tenth");
    assertFalse(WarmUp.isQuiet(cpu(0, 0), cpu(10, 1.1)));
    assertTrue(WarmUp.isQuiet(cpu(5, 1), cpu(5, 1)), "no CPU at all");
  }

  @Test
  void theCompilersShareOfAWindowIsNeverNegative() {
    assertEquals(25.0, WarmUp.compilerPercent(cpu(0, 0), cpu(4, 1)), 1e-9);
    assertEquals(
        0.0, WarmUp.compilerPercent(cpu(0, 3), cpu(4, 1)), "a compiler thread ended in between");
    assertEquals(0.0, WarmUp.compilerPercent(cpu(4, 1), cpu(4, 1)));
  }

  private static WarmUp.Probe byPid(Map<Long, WarmUp.Probe> probes) {
    return pid -> probes.get(pid).read(pid);
  }

  private static WarmUp.Cpu cpu(double processSeconds, double compilerSeconds) {
    return new WarmUp.Cpu(
        Math.round(processSeconds * SECOND), Math.round(compilerSeconds * SECOND));
  }

  /** One JVM's readings, in order. */
  private static final class Scripted implements WarmUp.Probe {
    private final Iterator<WarmUp.Cpu> readings;

    Scripted(List<WarmUp.Cpu> readings) {
      this.readings = readings.iterator();
    }

    @Override
    public WarmUp.Cpu read(long pid) {
      return readings.next();
    }
  }

  /** A JVM whose compilers take half its CPU, however long it runs. */
  private static final class Busy implements WarmUp.Probe {
    private long seconds;

    @Override
    public WarmUp.Cpu read(long pid) {
      seconds += 2;
      return cpu(seconds, seconds / 2.0);
    }
  }
}
