package io.switchboard.bench.report;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Heap and CPU of another JVM on this machine, read the way an operator would: jcmd and /proc. */
public final class JvmProbe {

  /** G1's line in GC.heap_info: "garbage-first heap total 262144K, used 23456K [...". */
  private static final Pattern HEAP_USED =
      Pattern.compile("heap\\s+total\\s+(\\d+)K, used (\\d+)K");

  /**
   * Linux reports utime and stime in clock ticks; USER_HZ is 100 on every mainstream kernel build.
   */
  private static final long TICKS_PER_SECOND = 100;

  private static final Pattern COMPILER_THREAD = Pattern.compile("C[12] CompilerThre");

  private JvmProbe() {}

  /**
   * Bytes of heap in use after two full collections (the second catches what finalisation freed).
   */
  public static long heapUsedAfterFullGc(long pid) throws IOException, InterruptedException {
    jcmd(pid, "GC.run");
    jcmd(pid, "GC.run");
    String info = jcmd(pid, "GC.heap_info");
    Matcher matcher = HEAP_USED.matcher(info);
    if (!matcher.find()) {
      throw new IOException("unexpected GC.heap_info output of " + pid + ": " + info);
    }
    return Long.parseLong(matcher.group(2)) * 1024;
  }

  /** CPU time (user + system) the process has used so far, in nanoseconds. */
  static long cpuNanos(long pid) throws IOException {
    return ticks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")))
        * (1_000_000_000L / TICKS_PER_SECOND);
  }

  /**
   * CPU time (user + system) the JVM's JIT compiler threads have used so far, in nanoseconds.
   * HotSpot names them "C1 CompilerThread0", "C2 CompilerThread1", ...; Linux keeps the first 15
   * characters. A compiler thread that HotSpot has since ended no longer counts.
   */
  static long compilerCpuNanos(long pid) throws IOException {
    long ticks = 0;
    try (DirectoryStream<Path> threads =
        Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
      for (Path thread : threads) {
        try {
          if (COMPILER_THREAD.matcher(Files.readString(thread.resolve("comm"))).lookingAt()) {
            ticks += ticks(Files.readString(thread.resolve("stat")));
          }
        } catch (IOException ended) {
          // The thread ended after the directory was read: its files are gone (ENOENT) or no longer
          // answer (ESRCH, "No such process").
        }
      }
    }
    return ticks * (1_000_000_000L / TICKS_PER_SECOND);
  }

  /** utime + stime of a /proc stat line, in clock ticks. */
  private static long ticks(String stat) {
    // The command name in parentheses may hold spaces; the fields after it are fixed: state is the
    // first, utime the 12th and stime the 13th.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  private static String jcmd(long pid, String command) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid),
                command)
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("jcmd " + pid + " " + command + " failed: " + output);
    }
    return output;
  }
}
