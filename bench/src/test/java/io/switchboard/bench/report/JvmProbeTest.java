package io.switchboard.bench.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The probe reads this very JVM from /proc, as the bench reads a node. */
class JvmProbeTest {

  @Test
  void compilerThreadsAreFoundAndTheirCpuIsPartOfTheProcessCpu() throws Exception {
    long pid = ProcessHandle.current().pid();

    long compilers = JvmProbe.compilerCpuNanos(pid);
    long process = JvmProbe.cpuNanos(pid);

    // Starting JUnit alone keeps HotSpot's compilers busy for well over a clock tick.
    assertTrue(compilers > 0, "no CPU on threads named C1/C2 CompilerThread");
    assertTrue(
        compilers <= process,
        compilers + " ns of the compilers, " + process + " ns of the process");
  }
}
