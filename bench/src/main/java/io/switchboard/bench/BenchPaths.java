package io.switchboard.bench;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Where the bench finds the built node and its own classes, and where it writes results. */
public final class BenchPaths {

  private BenchPaths() {}

  /**
   * The checkout: Maven names it when the bench runs through the wrapper, else the nearest parent
   * with node/ and bench/.
   */
  public static Path projectRoot() {
    String fromMaven = System.getProperty("maven.multiModuleProjectDirectory");
    if (fromMaven != null && Files.isDirectory(Path.of(fromMaven, "bench"))) {
      return Path.of(fromMaven).toAbsolutePath();
    }
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("node")) && Files.isDirectory(dir.resolve("bench"))) {
        return dir;
      }
    }
    throw new IllegalStateException("run the bench from inside the Switchboard checkout");
  }

  /**
   * The checkout whose built node the scenarios start: this one, or another named by {@code
   * -DnodeBuild=/path/to/checkout} (built there with {@code ./mvnw package}, tests left out), so an
   * old build and the new one can be measured side by side by the same bench.
   */
  public static Path nodeBuild() {
    String other = System.getProperty("nodeBuild", "").trim();
    return other.isEmpty() ? projectRoot() : Path.of(other).toAbsolutePath();
  }

  public static Path resultsDirectory() throws IOException {
    return Files.createDirectories(projectRoot().resolve("bench/results"));
  }

  /** The child processes' output: kept out of the results, which are committed now and then. */
  public static Path logDirectory() throws IOException {
    return Files.createDirectories(projectRoot().resolve("bench/target/logs"));
  }

  public static Path nodeJar(Path root) throws IOException {
    try (Stream<Path> files = Files.list(root.resolve("node/target"))) {
      return files
          .filter(file -> file.getFileName().toString().matches("switchboard-node-.*\\.jar"))
          .filter(file -> !file.getFileName().toString().contains("tests"))
          .findFirst()
          .orElseThrow(
              () ->
                  new IllegalStateException(
                      "no node jar in node/target: build the modules first, as the README's performance section says"));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalStateException(
          "node/target is missing: build the modules first, as the README's performance section says",
          e);
    }
  }

  /**
   * The bench's own classpath, for the echo server's JVM. Under {@code exec:java} the project's
   * classes live in the class loader Maven made, not in {@code java.class.path}.
   */
  public static String benchClasspath() {
    if (Thread.currentThread().getContextClassLoader() instanceof URLClassLoader loader
        && loader.getURLs().length > 0) {
      List<String> entries = new ArrayList<>();
      for (URL url : loader.getURLs()) {
        try {
          entries.add(Path.of(url.toURI()).toString());
        } catch (URISyntaxException e) {
          throw new IllegalStateException("classpath entry " + url, e);
        }
      }
      return String.join(File.pathSeparator, entries);
    }
    return System.getProperty("java.class.path");
  }
}
