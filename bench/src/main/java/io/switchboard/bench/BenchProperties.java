package io.switchboard.bench;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A scenario's knobs, as -D system properties with defaults ({@code -Dagents=500 -DrampUp=5s}). */
public final class BenchProperties {

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m)");

  private BenchProperties() {}

  public static int integer(String name, int defaultValue) {
    return Integer.getInteger(name, defaultValue);
  }

  public static String text(String name, String defaultValue) {
    return System.getProperty(name, defaultValue);
  }

  public static Duration duration(String name, String defaultValue) {
    String text = System.getProperty(name, defaultValue);
    Matcher matcher = DURATION.matcher(text.trim());
    if (!matcher.matches()) {
      throw new IllegalArgumentException(
          "-D" + name + "=" + text + ": expected a duration such as 500ms, 30s or 2m");
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      default -> Duration.ofMinutes(amount);
    };
  }
}
